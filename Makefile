# The whole developer interface. Every target brings the machine up to date
# first (make setup is idempotent and skips what is already there).
.PHONY: setup start test bench mutate lint format clean

setup:
	@bash scripts/setup.sh

start: setup
	@bash scripts/start.sh

test: setup
	@bash scripts/test.sh

bench: setup
	@bash scripts/bench.sh

# Part of make test; alone, on a tree nobody is editing (it edits sources in place and restores them).
mutate: setup
	@node scripts/mutate.mjs

lint: setup
	@bash scripts/lint.sh

format:
	npx prettier --write . && npx eslint --fix .
	gofmt -w bpf lessons/src

clean:
	rm -rf node_modules */node_modules kernel-bridge/dist jupyter-ext/lib bpf/bin .setup-stamps .nx
