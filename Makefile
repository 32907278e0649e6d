# Host side: `make test` runs the same tests as CI.
.PHONY: test
test:
	cargo test --workspace
