"""A module that defines no jobs: loading it as a jobs module must fail clearly."""
