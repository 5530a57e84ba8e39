package dev.wharf.control.server;

import dev.wharf.dataplane.port.MemoryPort;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.io.PortException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link PortOpener} without devices: "interfaces" are names the test declares, opening one gives
 * a {@link MemoryPort}, and a test can make the next open fail as the kernel would. Remembers
 * every port it opened and whether it was closed, so tests can prove a refused attach left nothing
 * open. Test thread and gRPC executor threads (the controller's lock orders them).
 */
public final class FakePortOpener implements PortOpener
{
    private final Set<String> interfaces = new HashSet<>();
    private final List<TrackedPort> opened = new ArrayList<>();
    private final Map<String, String> operStates = new HashMap<>();
    private final Map<String, Integer> interfaceFlags = new HashMap<>();
    private String failure;

    public synchronized FakePortOpener withInterfaces(final String... names)
    {
        interfaces.addAll(List.of(names));
        return this;
    }

    /** The next open throws a {@link PortException} with this message. */
    public synchronized void failNextOpen(final String message)
    {
        failure = message;
    }

    public synchronized boolean interfaceExists(final String name)
    {
        return interfaces.contains(name);
    }

    /** A made-up MAC per declared interface: 02:00:00 and three bytes of the name's hash. */
    @Override
    public synchronized long interfaceMac(final String name)
    {
        return interfaces.contains(name) ? 0x02_00_00_00_00_00L | (name.hashCode() & 0xFF_FFFFL) : -1;
    }

    /**
     * Sets an interface's operstate and flags as the kernel would report them ("up", "down", ...;
     * IFF_UP is bit 0); "" and -1 (unreadable) unless set.
     */
    public synchronized void link(final String name, final String operState, final int flags)
    {
        operStates.put(name, operState);
        interfaceFlags.put(name, flags);
    }

    @Override
    public synchronized String operState(final String name)
    {
        return operStates.getOrDefault(name, "");
    }

    @Override
    public synchronized int interfaceFlags(final String name)
    {
        return interfaceFlags.getOrDefault(name, -1);
    }

    /** Forgets an interface, as when its container is deleted. */
    public synchronized void removeInterface(final String name)
    {
        interfaces.remove(name);
    }

    public synchronized Port openAfPacket(final String name, final int workers) throws PortException
    {
        return open(name, "af_packet");
    }

    public synchronized Port openTap(final String name, final int workers) throws PortException
    {
        final Port port = open(name, "tap");
        interfaces.add(name);
        return port;
    }

    private Port open(final String name, final String kind) throws PortException
    {
        if (failure != null)
        {
            final String message = failure;
            failure = null;
            throw new PortException(message);
        }
        final TrackedPort port = new TrackedPort(new MemoryPort(name, 1500, 64), kind);
        opened.add(port);
        return port;
    }

    /** Ports opened and not closed yet. */
    public synchronized List<TrackedPort> openPorts()
    {
        return opened.stream().filter(p -> !p.closed).toList();
    }

    public synchronized TrackedPort lastOpened()
    {
        return opened.get(opened.size() - 1);
    }

    /** A memory port that says which backend it stands for and remembers being closed. */
    public static final class TrackedPort implements Port
    {
        private final MemoryPort memory;
        private final String kind;
        private volatile boolean closed;

        TrackedPort(final MemoryPort memory, final String kind)
        {
            this.memory = memory;
            this.kind = kind;
        }

        public MemoryPort memory()
        {
            return memory;
        }

        public boolean isClosed()
        {
            return closed;
        }

        public String name()
        {
            return memory.name();
        }

        public String kind()
        {
            return kind;
        }

        public int mtu()
        {
            return memory.mtu();
        }

        public boolean offloads()
        {
            return memory.offloads();
        }

        public PortQueue queue(final int worker)
        {
            return memory.queue(worker);
        }

        public void close()
        {
            if (!closed)
            {
                closed = true;
                memory.close();
            }
        }
    }
}
