package dev.wharf.control.server;

import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.LbSection;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dns.NetworkNames;
import dev.wharf.dns.DnsZones;
import dev.wharf.lb.BackendView;
import dev.wharf.lb.ServiceKey;
import dev.wharf.lb.ServiceView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns the desired state into every network's DNS names: each port's container name and aliases (an alias several
 * ports share resolves to all of them), each named load-balancer service on the networks its VIP or one of its
 * backends is in (its VIP, or with dns mode rr its healthy backends with weight above 0), and PTR names for the
 * containers' and the VIPs' addresses. A container's name wins over a service's of the same name; a service name that
 * is no DNS name (an '_' in it) is not served.
 */
final class DnsZoneBuilder
{
    private static final Pattern DNS_NAME = Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private DnsZoneBuilder()
    {
    }

    /**
     * @param networkIndex the dataplane index of a network by name, null for one not in the dataplane (yet).
     * @param lbViews      the balancer's services with their backends' health now; empty without a load balancer.
     */
    static DnsZones build(final DesiredState state, final Function<String, Integer> networkIndex, final List<ServiceView> lbViews)
    {
        final NetworkSection section = NetworkSection.of(state);
        final Map<ServiceKey, ServiceView> views = new HashMap<>();
        lbViews.forEach(view -> views.put(view.service().key(), view));
        final Map<Integer, NetworkNames> zones = new TreeMap<>();
        for (final NetworkSpec network : section.networks())
        {
            final Integer index = networkIndex.apply(network.name());
            if (index != null)
            {
                zones.put(index, names(index, network, section.portsOf(network.name()), LbSection.of(state), views));
            }
        }
        return new DnsZones(zones);
    }

    private static NetworkNames names(
        final int index, final NetworkSpec network, final List<PortSpec> ports, final LbSection lb, final Map<ServiceKey, ServiceView> views)
    {
        final Map<String, NetworkNames.Entry> names = new LinkedHashMap<>();
        final Map<Integer, String> reverse = new HashMap<>();
        for (final PortSpec port : ports)
        {
            if (!port.hasIp())
            {
                continue;
            }
            if (port.hasContainerName())
            {
                final String name = absolute(port.containerName());
                names.put(name, new NetworkNames.Entry(name, List.of(port.ip()), NetworkNames.Mode.FIXED, "port " + port.name(), "container"));
                reverse.put(port.ip(), name);
            }
        }
        for (final PortSpec port : ports)
        {
            for (final String alias : port.hasIp() ? port.aliases() : List.<String>of())
            {
                final String name = absolute(alias);
                final NetworkNames.Entry held = names.get(name);
                if (held == null)
                {
                    names.put(name, new NetworkNames.Entry(name, List.of(port.ip()), NetworkNames.Mode.FIXED, "port " + port.name(), "alias"));
                }
                else if (held.kind().equals("alias") && !held.addresses().contains(port.ip()))
                {
                    final List<Integer> addresses = new ArrayList<>(held.addresses());
                    addresses.add(port.ip());
                    names.put(name, new NetworkNames.Entry(name, addresses, NetworkNames.Mode.FIXED, held.source() + ", port " + port.name(), "alias"));
                }
            }
        }
        for (final LbSection.Service service : lb.services())
        {
            final String label = service.name().toLowerCase(Locale.ROOT);
            if (label.isEmpty() || !DNS_NAME.matcher(label).matches() || names.containsKey(absolute(label)) || !concerns(network, service))
            {
                continue;
            }
            final String name = absolute(label);
            final String source = "lb " + service.address();
            if (service.dnsMode().equals(LbSection.Service.DNS_ROUND_ROBIN))
            {
                names.put(name, new NetworkNames.Entry(name, healthyBackends(service, views.get(LbController.key(service.address()))),
                    NetworkNames.Mode.ROUND_ROBIN, source, "service"));
            }
            else
            {
                names.put(name, new NetworkNames.Entry(name, List.of(service.address().vip()), NetworkNames.Mode.FIXED, source, "service"));
                reverse.putIfAbsent(service.address().vip(), name);
            }
        }
        return new NetworkNames(index, network.name(), network.internal(), network.subnet().network(), network.subnet().prefixLength(),
            names, reverse);
    }

    /** A service is named on a network its VIP or one of its backends is in. */
    private static boolean concerns(final NetworkSpec network, final LbSection.Service service)
    {
        if (network.subnet().contains(service.address().vip()))
        {
            return true;
        }
        return service.backends().stream().anyMatch(b -> network.subnet().contains(b.address()));
    }

    /** The backends a client may be sent to now: weight above 0, not draining, and healthy when checked. Distinct addresses. */
    private static List<Integer> healthyBackends(final LbSection.Service service, final ServiceView view)
    {
        final List<Integer> addresses = new ArrayList<>();
        if (view == null)
        {
            service.backends().stream().filter(b -> b.weight() > 0).forEach(b -> addDistinct(addresses, b.address()));
            return addresses;
        }
        for (final BackendView backend : view.backends())
        {
            if (backend.weight() > 0 && !backend.draining() && backend.healthy())
            {
                addDistinct(addresses, backend.address());
            }
        }
        return addresses;
    }

    private static void addDistinct(final List<Integer> addresses, final int address)
    {
        if (!addresses.contains(address))
        {
            addresses.add(address);
        }
    }

    static String absolute(final String name)
    {
        final String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower : lower + ".";
    }

    static String display(final String name)
    {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    static String address(final int address)
    {
        return Ipv4Address.toString(address);
    }
}
