from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS

from .permissions import PublicReadOnly


class PublicAutoSchema(AutoSchema):
    """Marks reads behind ``PublicReadOnly`` as open to anonymous callers (``security: {}``)."""

    def get_auth(self):
        auths = super().get_auth()
        public = any(isinstance(p, PublicReadOnly) for p in self.view.get_permissions())
        if public and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths
