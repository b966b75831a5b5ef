"""Admin for mentoring."""
