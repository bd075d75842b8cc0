# The two commands a new user needs (see README.md), and `make pdf` for the PDF. Each installs missing Debian
# packages first, then runs. Extra arguments go through ARGS, e.g. make report ARGS="--only 3".
.PHONY: deps report test check pdf pdf-deps
deps:
	@scripts/install-deps
# Optional: report/report.pdf through pandoc + XeLaTeX (installs them when missing).
pdf-deps:
	@scripts/install-deps --pdf
pdf: pdf-deps
	swift run make-report --pdf $(ARGS)
report: deps
	swift run make-report $(ARGS)
test: deps
	swift test $(ARGS)
