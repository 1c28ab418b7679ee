"""Security: accounts, passwords, second factor, sessions and tokens, OIDC, roles × tenants, audit chain."""
