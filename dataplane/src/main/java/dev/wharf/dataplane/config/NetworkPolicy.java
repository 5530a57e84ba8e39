package dev.wharf.dataplane.config;

/**
 * What a network may reach, as Docker's bridge driver options say it.
 *
 * @param internal   no traffic to or from the uplink, either way (Docker's {@code --internal}).
 * @param icc        containers of the network may talk to each other (Docker's
 *                   {@code com.docker.network.bridge.enable_icc}); when false they reach only the gateway
 *                   and, through it, the outside.
 * @param masquerade connections leaving through the uplink take the uplink's address (Docker's
 *                   {@code enable_ip_masquerade}).
 */
public record NetworkPolicy(boolean internal, boolean icc, boolean masquerade)
{
    public static final NetworkPolicy DEFAULT = new NetworkPolicy(false, true, true);
}
