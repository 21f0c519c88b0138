"""Checks of the container image definition and the Kubernetes manifests."""
