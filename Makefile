# Developer commands of account_receivable_control. See README.md.
.PHONY: test lint demo screenshots replica-check

test:
	bash tools/test.sh

lint:
	bash tools/lint.sh

demo:
	bash tools/demo.sh

screenshots:
	bash tools/screenshots.sh

replica-check:
	bash tools/replica_check.sh
