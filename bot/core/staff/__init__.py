"""Staff account rules shared by the dashboard and the command line: password policy and
the second factor (TOTP, recovery codes)."""
