"""Token authentication as the Synapse backend reads it: `Synapse-Access-Token: Token <key>` (or DRF's own
`Authorization: Token <key>`)."""
from rest_framework.authentication import TokenAuthentication


class SynapseAccessToken(TokenAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_SYNAPSE_ACCESS_TOKEN")
        if header is None:
            return super().authenticate(request)
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            return None
        return self.authenticate_credentials(parts[1])
