"""The Faust adapter: the only package that imports faust. It builds the app and its agents,
which wire topics to the services and do nothing else."""
