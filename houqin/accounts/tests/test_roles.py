def test_every_position_managing_leave_also_sees_the_school_and_arranges_cover():
    # The office pages check leave.view_all / leave.arrange_cover alone.
    from houqin.accounts.roles import GRANTS

    for position, granted in GRANTS.items():
        if "leave.manage" in granted:
            assert {"leave.view_all", "leave.arrange_cover"} <= granted, position
