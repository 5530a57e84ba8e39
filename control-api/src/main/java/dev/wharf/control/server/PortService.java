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
 * {@link SwitchController}. Called on gRPC executor threads.
 */
public final class PortService extends PortServiceGrpc.PortServiceImplBase
{
    private final SwitchController controller;

    public PortService(final SwitchController controller)
    {
        this.controller = controller;
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
                request.getMacLimit());
            synchronized (controller)
            {
                final PortSpec attached = controller.attachPort(spec);
                return AttachPortResponse.newBuilder()
                    .setPort(ApiMessages.port(attached, controller.portStatus(attached.name())))
                    .build();
            }
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
            controller.detachPort(request.getNetwork(), request.getName());
            return DetachPortResponse.getDefaultInstance();
        });
    }

    @Override
    public void list(final ListPortsRequest request, final StreamObserver<ListPortsResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            synchronized (controller)
            {
                final List<PortSpec> ports = request.getNetwork().isEmpty() ?
                    controller.state().ports() :
                    controller.state().portsOf(controller.network(request.getNetwork()).name());
                final ListPortsResponse.Builder response = ListPortsResponse.newBuilder();
                for (final PortSpec port : ports)
                {
                    response.addPorts(ApiMessages.port(port, controller.portStatus(port.name())));
                }
                return response.build();
            }
        });
    }
}
