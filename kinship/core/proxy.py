"""The visitor's address behind a reverse proxy or load balancer (TRUSTED_PROXIES).

Rate limits count sign-ins, sign-ups, password resets and signed-out searches per address
(core.ratelimit.client_address reads REMOTE_ADDR). Behind a proxy every request comes from the
proxy, so one visitor's attempts would lock everyone out. Each proxy appends the address it saw to
X-Forwarded-For; the header is believed only when the request comes from a trusted proxy, and then
read from the right: the first address that is not a trusted proxy is the visitor. Whatever lies
further left came from the visitor, who may have written anything there.
"""

import ipaddress
from collections.abc import Callable, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Sequence[str]) -> list[Network]:
    """TRUSTED_PROXIES entries: addresses or networks (10.0.0.0/8); a typo stops start-up."""
    return [ipaddress.ip_network(value, strict=False) for value in values]


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def visitor_address(remote_addr: str, forwarded_for: str, networks: Sequence[Network]) -> str:
    """The visitor's address: REMOTE_ADDR, or from X-Forwarded-For when REMOTE_ADDR is a trusted proxy."""
    if not networks or not _trusted(remote_addr, networks):
        return remote_addr
    for hop in reversed(forwarded_for.split(",")):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # Not written by a proxy of ours: stop rather than believe it.
            return remote_addr
        if not _trusted(hop, networks):
            return hop
    return remote_addr


class ForwardedForMiddleware:
    """First in MIDDLEWARE when TRUSTED_PROXIES is set: REMOTE_ADDR becomes the visitor's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.networks = parse_networks(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        meta["REMOTE_ADDR"] = visitor_address(
            meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""), self.networks
        )
        return self.get_response(request)
