.PHONY: run test test-pg lint dev messages

run:  ## set up, load the demo school and serve it on http://127.0.0.1:$${PORT:-8000}
	scripts/run.sh

test:  ## the whole test suite on SQLite
	scripts/test.sh

test-pg:  ## the whole test suite on PostgreSQL at 127.0.0.1:5432
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/houqin} scripts/test.sh

lint:
	scripts/setup.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/djlint templates houqin --check
	DEBUG=1 .venv/bin/python manage.py makemigrations --check --dry-run

dev:  ## Django's autoreloading development server with DEBUG on
	scripts/setup.sh
	DEBUG=1 .venv/bin/python manage.py migrate
	DEBUG=1 .venv/bin/python manage.py runserver 127.0.0.1:$${PORT:-8000}

messages:  ## refresh the English catalog after changing UI strings
	DEBUG=1 .venv/bin/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var
	DEBUG=1 .venv/bin/python manage.py compilemessages -l en --ignore=.venv
