from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password):
    classes = 0
    classes += any(ch.islower() for ch in password)
    classes += any(ch.isupper() for ch in password)
    classes += any(ch.isdigit() for ch in password)
    classes += any(not ch.isalnum() for ch in password)
    return classes


class CharacterClassesValidator:
    """等保 practice: a password mixes at least three of lower case, upper case, digits and
    symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(count)d 类。")
                % {"count": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("至少包含大写字母、小写字母、数字、符号中的 %(count)d 类。") % {
            "count": self.min_classes
        }
