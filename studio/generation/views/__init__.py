"""The generation app's pages: `create` starts jobs, `jobs` follows them, `history` looks back."""
