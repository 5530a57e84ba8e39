package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ContainerPairTest
{
    @Test
    void readsTheEthernetAddressFromIpJson()
    {
        final String out = "[{\"ifindex\":2,\"link_index\":7,\"ifname\":\"eth0\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"]," +
            "\"mtu\":1500,\"qdisc\":\"noqueue\",\"operstate\":\"UP\",\"linkmode\":\"DEFAULT\",\"group\":\"default\",\"txqlen\":1000," +
            "\"link_type\":\"ether\",\"address\":\"5a:3c:01:9e:44:d2\",\"broadcast\":\"ff:ff:ff:ff:ff:ff\",\"link_netnsid\":0}]\n";
        assertEquals("5a:3c:01:9e:44:d2", ContainerPair.etherAddress(out));
    }

    @Test
    void aLinkWithoutAnEthernetAddressHasNone()
    {
        assertNull(ContainerPair.etherAddress("[{\"ifindex\":1,\"ifname\":\"lo\",\"link_type\":\"loopback\",\"address\":\"00:00:00:00:00:00\"}]"));
        assertNull(ContainerPair.etherAddress("[]"));
        assertNull(ContainerPair.etherAddress("Device \"eth0\" does not exist."));
    }
}
