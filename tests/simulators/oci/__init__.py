"""Local simulator of the OCI Vault, Secrets, KMS and Vulnerability Scanning APIs (see README.md)."""

from .app import OciApp

__all__ = ["OciApp"]
