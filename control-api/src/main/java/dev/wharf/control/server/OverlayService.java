package dev.wharf.control.server;

import dev.wharf.control.api.v1.AddVtepRequest;
import dev.wharf.control.api.v1.AddVtepResponse;
import dev.wharf.control.api.v1.ListVtepsRequest;
import dev.wharf.control.api.v1.ListVtepsResponse;
import dev.wharf.control.api.v1.OverlayServiceGrpc;
import dev.wharf.control.api.v1.RemoteEndpoint;
import dev.wharf.control.api.v1.RemoveUnderlayRequest;
import dev.wharf.control.api.v1.RemoveUnderlayResponse;
import dev.wharf.control.api.v1.RemoveVtepRequest;
import dev.wharf.control.api.v1.RemoveVtepResponse;
import dev.wharf.control.api.v1.SetUnderlayRequest;
import dev.wharf.control.api.v1.SetUnderlayResponse;
import dev.wharf.control.api.v1.ShowUnderlayRequest;
import dev.wharf.control.api.v1.ShowUnderlayResponse;
import dev.wharf.control.api.v1.Underlay;
import dev.wharf.control.api.v1.Vtep;
import dev.wharf.control.state.OverlaySection;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.vxlan.Encapsulation;
import dev.wharf.vxlan.Overlay;
import io.grpc.stub.StreamObserver;

/** {@code wharf.v1.OverlayService}: parses requests and hands them to the {@link OverlayController}. gRPC executor threads. */
public final class OverlayService extends OverlayServiceGrpc.OverlayServiceImplBase
{
    private final OverlayController overlay;

    public OverlayService(final OverlayController overlay)
    {
        this.overlay = overlay;
    }

    @Override
    public void setUnderlay(final SetUnderlayRequest request, final StreamObserver<SetUnderlayResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            if (request.getLocal().isEmpty())
            {
                throw ControlException.invalid("the underlay needs this host's tunnel endpoint address (--local IP)");
            }
            final int local = Inputs.ipv4(request.getLocal(), "underlay address");
            final int port = request.getPort() == 0 ? Encapsulation.VXLAN.defaultPort() : request.getPort();
            final int genevePort = request.getGenevePort() == 0 ? Encapsulation.GENEVE.defaultPort() : request.getGenevePort();
            final String device = request.getDevice().isEmpty() ? null : Inputs.interfaceName(request.getDevice());
            return SetUnderlayResponse.newBuilder()
                .setUnderlay(message(overlay.setUnderlay(new OverlaySection.Underlay(local, port, genevePort, device)))).build();
        });
    }

    @Override
    public void showUnderlay(final ShowUnderlayRequest request, final StreamObserver<ShowUnderlayResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final OverlayController.UnderlayStatus status = overlay.underlayStatus();
            return status == null ? ShowUnderlayResponse.getDefaultInstance() :
                ShowUnderlayResponse.newBuilder().setConfigured(true).setUnderlay(message(status)).build();
        });
    }

    @Override
    public void removeUnderlay(final RemoveUnderlayRequest request, final StreamObserver<RemoveUnderlayResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            overlay.removeUnderlay();
            return RemoveUnderlayResponse.getDefaultInstance();
        });
    }

    @Override
    public void addVtep(final AddVtepRequest request, final StreamObserver<AddVtepResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final long mac = request.getMac().isEmpty() ? 0 : Inputs.portMac(request.getMac());
            if (mac == 0 && !request.getIp().isEmpty())
            {
                throw ControlException.invalid("an endpoint's --ip needs its --mac");
            }
            final int ip = request.getIp().isEmpty() ? 0 : Inputs.ipv4(request.getIp(), "endpoint address");
            final OverlaySection.VtepEntry entry =
                new OverlaySection.VtepEntry(request.getNetwork(), vtep(request.getVtep()), mac, ip);
            return AddVtepResponse.newBuilder().setVtep(message(overlay.addVtep(entry))).build();
        });
    }

    @Override
    public void removeVtep(final RemoveVtepRequest request, final StreamObserver<RemoveVtepResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final long mac = request.getMac().isEmpty() ? 0 : Inputs.portMac(request.getMac());
            overlay.removeVtep(request.getNetwork(), vtep(request.getVtep()), mac);
            return RemoveVtepResponse.getDefaultInstance();
        });
    }

    @Override
    public void listVteps(final ListVtepsRequest request, final StreamObserver<ListVtepsResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final OverlayController.VtepListing listing = overlay.vteps(request.getNetwork());
            final ListVtepsResponse.Builder response = ListVtepsResponse.newBuilder()
                .setNetwork(listing.network().network())
                .setVni(listing.network().vni())
                .setEncap(listing.network().encapsulation())
                .setMtu(listing.mtu())
                .setTunnelPort(listing.tunnelPort())
                .setMssClamp(listing.network().mssClamp())
                .setLearning(listing.network().learning());
            if (listing.network().hostAddress() != 0)
            {
                response.setHostAddress(Ipv4Address.toString(listing.network().hostAddress()))
                    .setHostMac(MacAddress.toString(OverlayController.hostMac(listing.network().hostAddress())));
            }
            listing.vteps().forEach(v -> response.addVteps(message(v)));
            return response.build();
        });
    }

    private static int vtep(final String text)
    {
        if (text.isEmpty())
        {
            throw ControlException.invalid("a VTEP address is required (the remote host's underlay address)");
        }
        return Inputs.ipv4(text, "VTEP");
    }

    private static Underlay message(final OverlayController.UnderlayStatus status)
    {
        final OverlaySection.Underlay spec = status.spec();
        final Underlay.Builder underlay = Underlay.newBuilder()
            .setLocal(Ipv4Address.toString(spec.local()))
            .setPort(spec.port())
            .setGenevePort(spec.genevePort())
            .setDevice(spec.device() == null ? "" : spec.device());
        final Overlay.UnderlayInfo bound = status.bound();
        if (bound != null)
        {
            underlay.setDevice(bound.device()).setMtu(bound.mtu()).setTransport(bound.transport())
                .setVxlanMtu(bound.mtu() - Encapsulation.VXLAN.overhead()).setState("up");
        }
        else
        {
            underlay.setState("down").setStateReason(status.downReason() == null ? "not bound" : status.downReason());
        }
        return underlay.build();
    }

    private static Vtep message(final Overlay.Vtep vtep)
    {
        final Vtep.Builder message = Vtep.newBuilder().setAddress(Ipv4Address.toString(vtep.address()));
        for (final Overlay.Endpoint endpoint : vtep.endpoints())
        {
            message.addEndpoints(RemoteEndpoint.newBuilder()
                .setMac(MacAddress.toString(endpoint.mac()))
                .setIp(endpoint.ip() == 0 ? "" : Ipv4Address.toString(endpoint.ip())));
        }
        return message.build();
    }
}
