package dev.wharf.control.server;

import dev.wharf.control.state.PortKind;
import dev.wharf.control.state.PortSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the ports of the desired state in line with the host's interfaces: an AF_PACKET port whose
 * interface disappeared (the container was deleted) goes down, and a down port whose interface is
 * there again comes back. It remembers, per port, why it is down and which interface index it was
 * opened on (a new index means a new interface of the same name).
 *
 * <p>Not thread-safe: a part of {@link PortController}, called under the {@link StateTransaction}'s
 * lock (the reconcile pass about once a second from the daemon's housekeeping thread).
 */
final class PortReconciler
{
    private static final Logger LOG = LoggerFactory.getLogger(PortReconciler.class);

    private final PortController ports;
    private final PortOpener opener;
    /** Ports of the desired state that are not in the dataplane now, and why. */
    private final Map<String, String> downReasons = new LinkedHashMap<>();
    /** The interface index each attached AF_PACKET port was opened on. */
    private final Map<String, Integer> interfaceIndexes = new HashMap<>();

    PortReconciler(final PortController ports, final PortOpener opener)
    {
        this.ports = ports;
        this.opener = opener;
    }

    /** Why the port {@code name} is down, or null when it is not known as down. */
    String downReason(final String name)
    {
        return downReasons.get(name);
    }

    /** The port {@code name} is in the dataplane now, opened on {@code interfaceIndex} (-1 for a TAP device). */
    void attached(final String name, final int interfaceIndex)
    {
        downReasons.remove(name);
        if (interfaceIndex > 0)
        {
            interfaceIndexes.put(name, interfaceIndex);
        }
    }

    /** The port {@code name} left the dataplane. */
    void detached(final String name)
    {
        interfaceIndexes.remove(name);
    }

    /** The port {@code name} left the desired state. */
    void forget(final String name)
    {
        downReasons.remove(name);
    }

    void reconcile()
    {
        for (final Map.Entry<String, Integer> entry : List.copyOf(interfaceIndexes.entrySet()))
        {
            final String name = entry.getKey();
            if (opener.interfaceIndex(name) != entry.getValue())
            {
                ports.forgetAttached(name, ports.attachedId(name));
                downReasons.put(name, "interface disappeared");
                LOG.warn("port {} is down: its interface disappeared; it comes back when an interface of that name appears", name);
            }
        }
        for (final String name : List.copyOf(downReasons.keySet()))
        {
            final PortSpec port = ports.desired(name);
            if (port != null && (port.kind() == PortKind.TAP || opener.interfaceExists(name)))
            {
                bringUp(port, "back up");
            }
        }
    }

    /** Attaches a port of the desired state; when it cannot be, keeps it as down with the reason. */
    void bringUp(final PortSpec port, final String what)
    {
        final String before = downReasons.get(port.name());
        try
        {
            if (port.kind() == PortKind.AF_PACKET && !opener.interfaceExists(port.name()))
            {
                throw ControlException.notFound("interface not found");
            }
            ports.attachToDataplane(port, ports.networkOf(port));
            LOG.info("port {}: {}", what, port);
        }
        catch (final ControlException e)
        {
            downReasons.put(port.name(), e.getMessage());
            if (!e.getMessage().equals(before))
            {
                LOG.warn("port {} is down: {}", port.name(), e.getMessage());
            }
        }
    }
}
