package dev.wharf.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The port contract on TAP devices that Wharf creates and then moves into the test's namespaces. */
final class TapPortTest extends PortContractTest
{
    @Override
    Endpoint attach(final String side, final String ip, final PortOptions options) throws PortException
    {
        final String namespace = topology.namespace(side);
        final String name = topology.name(side);
        final TapPort port = Tap.open(name, 1, options);
        Shell.run("ip", "link", "set", name, "netns", namespace);
        topology.configure(namespace, name, ip + "/24");
        return new Endpoint(port, namespace, name, ip);
    }

    @Test
    void isAvailableAsRoot()
    {
        assertTrue(Tap.isAvailable(), () -> String.valueOf(Tap.unavailabilityCause()));
    }

    @Test
    void createdDeviceDisappearsWhenClosed() throws Exception
    {
        final String name = topology.name("t");
        final TapPort port = Tap.open(name, 2, PortOptions.DEFAULT);
        try
        {
            assertTrue(port.created());
            assertTrue(Ports.interfaceExists(name));
            assertTrue(Shell.run("ip", "link", "show", name).contains("UP"), "wharf brings up a TAP it created");
        }
        finally
        {
            port.close();
        }
        assertFalse(Ports.interfaceExists(name));
    }

    @Test
    void opensAnExistingDeviceWithoutOwningIt() throws Exception
    {
        final String name = topology.name("e");
        Shell.run("ip", "tuntap", "add", "dev", name, "mode", "tap", "multi_queue", "vnet_hdr");
        topology.deleteLater(name);
        try (TapPort port = Tap.open(name, 2, PortOptions.DEFAULT))
        {
            assertFalse(port.created());
        }
        assertTrue(Ports.interfaceExists(name), "a device wharf did not create outlives the port");
    }
}
