package dev.wharf.control.server;

import dev.wharf.control.api.v1.AttachPortRequest;
import dev.wharf.control.api.v1.AttachPortResponse;
import dev.wharf.control.api.v1.DetachPortRequest;
import dev.wharf.control.api.v1.DetachPortResponse;
import dev.wharf.control.api.v1.ListPortsRequest;
import dev.wharf.control.api.v1.ListPortsResponse;
import dev.wharf.control.api.v1.PortServiceGrpc;
import dev.wharf.control.state.PortSpec;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.TreeSet;

/**
 * {@code wharf.v1.PortService}: parses requests into a {@link PortSpec} and hands it to the
 * {@link PortController}. Called on gRPC executor threads.
 */
public final class PortService extends PortServiceGrpc.PortServiceImplBase
{
    private final PortController ports;

    public PortService(final PortController ports)
    {
        this.ports = ports;
    }

    private static List<String> aliases(final List<String> requested)
    {
        if (requested.size() >= Inputs.MAX_DNS_NAMES)
        {
            throw ControlException.invalid("at most " + (Inputs.MAX_DNS_NAMES - 1) + " aliases per port: " + requested.size() + " given");
        }
        final List<String> aliases = new java.util.ArrayList<>();
        for (final String alias : requested)
        {
            final String checked = Inputs.dnsName(alias, "alias");
            if (aliases.stream().anyMatch(a -> a.equalsIgnoreCase(checked)))
            {
                throw ControlException.invalid("alias " + Inputs.quote(alias) + " is given twice");
            }
            aliases.add(checked);
        }
        return aliases;
    }

    @Override
    public void attach(final AttachPortRequest request, final StreamObserver<AttachPortResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final PortSpec spec = new PortSpec(
                Inputs.interfaceName(request.getName()),
                Inputs.networkName(request.getNetwork()),
                ApiMessages.kind(request.getKind()),
                request.getIp().isEmpty() ? PortSpec.NO_IP : Inputs.ipv4(request.getIp(), "IP"),
                request.getMac().isEmpty() ? PortSpec.NO_MAC : Inputs.portMac(request.getMac()),
                request.getVlan() == 0 ? 0 : Inputs.vlan(Integer.toUnsignedLong(request.getVlan())),
                trunkVlans(request.getTrunkVlansList()),
                request.getMacLimit(),
                request.getContainerName().isEmpty() ? "" : Inputs.dnsName(request.getContainerName(), "container name"),
                aliases(request.getAliasesList()),
                request.getPortSecurity());
            return AttachPortResponse.newBuilder().setPort(ApiMessages.port(ports.attach(spec))).build();
        });
    }

    /** Checks each VLAN and sorts them; a VLAN listed twice is carried once. */
    private static List<Integer> trunkVlans(final List<Integer> vids)
    {
        final TreeSet<Integer> set = new TreeSet<>();
        for (final int vid : vids)
        {
            set.add(Inputs.vlan(Integer.toUnsignedLong(vid)));
        }
        return List.copyOf(set);
    }

    @Override
    public void detach(final DetachPortRequest request, final StreamObserver<DetachPortResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            ports.detach(request.getNetwork(), request.getName());
            return DetachPortResponse.getDefaultInstance();
        });
    }

    @Override
    public void list(final ListPortsRequest request, final StreamObserver<ListPortsResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final ListPortsResponse.Builder response = ListPortsResponse.newBuilder();
            for (final PortController.PortView port : ports.list(request.getNetwork()))
            {
                response.addPorts(ApiMessages.port(port));
            }
            return response.build();
        });
    }
}
