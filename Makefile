# The two commands a new user needs (see README.md). Each installs missing Debian
# packages first, then runs. Extra arguments go through ARGS, e.g. make report ARGS="--only 3".
.PHONY: deps report test check
deps:
	@scripts/install-deps
report: deps
	swift run make-report $(ARGS)
test: deps
	swift test $(ARGS)
