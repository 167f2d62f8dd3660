# Developer commands of account_receivable_control. See README.md.
.PHONY: test lint demo screenshots

test:
	bash tools/test.sh

lint:
	bash tools/lint.sh

demo:
	bash tools/demo.sh

screenshots:
	bash tools/screenshots.sh
