"""Task defaults as plain ConfigDicts: `aejax.configs.<task>` imports ml_collections and
`aejax.config` only (no jax, no task module), so experiment files and `aejax list` stay light."""
