package dev.wharf.control.server;

import dev.wharf.cluster.ClusterStore;
import dev.wharf.control.api.v1.ClusterEndpointRecord;
import dev.wharf.control.api.v1.ClusterHostRecord;
import dev.wharf.control.api.v1.ClusterDrainedBackend;
import dev.wharf.control.api.v1.ClusterNetworkRecord;
import dev.wharf.control.api.v1.ClusterServiceRecord;
import dev.wharf.control.state.LbSection;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the cluster store holds under Wharf's prefix, as this daemon last read and watched it: hosts,
 * networks, endpoints, address claims and virtual services, parsed. Built from a full read and kept up by the watch's
 * changes, in revision order. A value that is not a record (written by hand, or by a newer layout) is
 * left out and remembered as a problem rather than stopping the others. Confined to the cluster agent's thread.
 */
final class ClusterMirror
{
    /** A registered host and the lease its records live under. */
    record Host(ClusterHostRecord record, long lease)
    {
    }

    /** A virtual service of the cluster, and the grace (seconds, by backend endpoint) of those its last change removed. */
    record SharedService(LbSection.Service service, Map<String, Integer> drainSeconds)
    {
    }

    private final ClusterKeys keys;
    private final Map<String, Host> hosts = new TreeMap<>();
    private final Map<String, ClusterNetworkRecord> networks = new LinkedHashMap<>();
    private final Map<String, ClusterEndpointRecord> endpoints = new HashMap<>();
    private final Map<String, String> addressHolders = new HashMap<>();
    private final Map<String, SharedService> services = new TreeMap<>();
    private final Map<String, String> unreadable = new TreeMap<>();

    ClusterMirror(final ClusterKeys keys)
    {
        this.keys = keys;
    }

    /** Forgets everything and takes {@code snapshot} instead. */
    void reset(final ClusterStore.Snapshot snapshot)
    {
        hosts.clear();
        networks.clear();
        endpoints.clear();
        addressHolders.clear();
        services.clear();
        unreadable.clear();
        snapshot.entries().forEach(entry -> put(entry.key(), entry.value(), entry.lease()));
    }

    /** Applies one change of the watch. */
    void apply(final ClusterStore.Change change)
    {
        if (change.isDelete())
        {
            remove(change.key());
        }
        else
        {
            put(change.key(), change.value(), change.lease());
        }
    }

    private void put(final String key, final String value, final long lease)
    {
        try
        {
            String rest;
            if ((rest = keys.rest(key, ClusterKeys.HOSTS)) != null)
            {
                hosts.put(rest, new Host(ClusterRecords.parse(value, ClusterHostRecord.newBuilder()), lease));
            }
            else if ((rest = keys.rest(key, ClusterKeys.NETWORKS)) != null)
            {
                networks.put(rest, ClusterRecords.parse(value, ClusterNetworkRecord.newBuilder()));
            }
            else if (keys.rest(key, ClusterKeys.ENDPOINTS) != null)
            {
                final ClusterEndpointRecord endpoint = ClusterRecords.parse(value, ClusterEndpointRecord.newBuilder());
                Ipv4Address.parse(endpoint.getVtep());
                if (!endpoint.getMac().isEmpty())
                {
                    MacAddress.parse(endpoint.getMac());
                }
                if (!endpoint.getIp().isEmpty())
                {
                    Ipv4Address.parse(endpoint.getIp());
                }
                endpoints.put(key, endpoint);
            }
            else if (keys.rest(key, ClusterKeys.IPAM) != null)
            {
                addressHolders.put(key, value);
            }
            else if ((rest = keys.rest(key, ClusterKeys.SERVICES)) != null)
            {
                services.put(rest, service(rest, ClusterRecords.parse(value, ClusterServiceRecord.newBuilder())));
            }
            unreadable.remove(key);
        }
        catch (final IllegalArgumentException e)
        {
            remove(key);
            unreadable.put(key, e.getMessage());
        }
    }

    private void remove(final String key)
    {
        String rest;
        if ((rest = keys.rest(key, ClusterKeys.HOSTS)) != null)
        {
            hosts.remove(rest);
        }
        else if ((rest = keys.rest(key, ClusterKeys.NETWORKS)) != null)
        {
            networks.remove(rest);
        }
        else if ((rest = keys.rest(key, ClusterKeys.SERVICES)) != null)
        {
            services.remove(rest);
        }
        endpoints.remove(key);
        addressHolders.remove(key);
        unreadable.remove(key);
    }

    /** A service record, checked: its key is its address. */
    private static SharedService service(final String address, final ClusterServiceRecord record)
    {
        final LbSection.Service service = LbSection.fromRecord(record.getService(), "the cluster store");
        if (!service.address().toString().equals(address))
        {
            throw new IllegalArgumentException("the service record is of " + service.address() + ", not of its key's " + address);
        }
        final Map<String, Integer> drains = new HashMap<>();
        for (final ClusterDrainedBackend drained : record.getDrainedList())
        {
            drains.put(drained.getAddress() + ":" + drained.getPort(), drained.getDrainSeconds());
        }
        return new SharedService(service, Map.copyOf(drains));
    }

    Map<String, Host> hosts()
    {
        return hosts;
    }

    Map<String, ClusterNetworkRecord> networks()
    {
        return networks;
    }

    /** The cluster's virtual services, by address ({@code vip:port/protocol}). */
    Map<String, SharedService> services()
    {
        return services;
    }

    /** Every endpoint record, by key. */
    Map<String, ClusterEndpointRecord> endpoints()
    {
        return endpoints;
    }

    /** Every address claim: ipam key -> "host/port". */
    Map<String, String> addressHolders()
    {
        return addressHolders;
    }

    /**
     * The endpoints of {@code network} on hosts other than {@code self}, as the overlay programs them:
     * VTEP -> (MAC -> IP, 0: none). A VTEP whose endpoints have no MAC yet is there with none: it is
     * in the flood list, so that their first frames reach it.
     */
    Map<Integer, Map<Long, Integer>> remoteEndpoints(final String network, final String self)
    {
        final Map<Integer, Map<Long, Integer>> byVtep = new TreeMap<>(Integer::compareUnsigned);
        for (final ClusterEndpointRecord endpoint : endpoints.values())
        {
            if (!endpoint.getNetwork().equals(network) || endpoint.getHost().equals(self))
            {
                continue;
            }
            final Map<Long, Integer> behind = byVtep.computeIfAbsent(Ipv4Address.parse(endpoint.getVtep()), v -> new LinkedHashMap<>());
            if (!endpoint.getMac().isEmpty())
            {
                behind.put(MacAddress.parse(endpoint.getMac()), endpoint.getIp().isEmpty() ? 0 : Ipv4Address.parse(endpoint.getIp()));
            }
        }
        return byVtep;
    }

    /** The hosts other than {@code self} with endpoints on {@code network}, sorted. */
    List<String> otherHostsOn(final String network, final String self)
    {
        return endpoints.values().stream().filter(e -> e.getNetwork().equals(network) && !e.getHost().equals(self))
            .map(ClusterEndpointRecord::getHost).distinct().sorted().toList();
    }

    /** How many endpoints {@code host} holds. */
    int endpointsOf(final String host)
    {
        return (int)endpoints.values().stream().filter(e -> e.getHost().equals(host)).count();
    }

    /** Keys whose values are not records, with why. */
    List<String> unreadable()
    {
        final List<String> problems = new ArrayList<>();
        unreadable.forEach((key, why) -> problems.add(key + ": " + why));
        return problems;
    }
}
