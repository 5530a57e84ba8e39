package dev.wharf.control.state;

import com.google.protobuf.Message;
import dev.wharf.control.api.v1.PersistedOverlayNetwork;
import dev.wharf.control.api.v1.PersistedOverlaySection;
import dev.wharf.control.api.v1.PersistedUnderlay;
import dev.wharf.control.api.v1.PersistedVtep;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the {@link OverlaySection} as {@code wharf.v1.PersistedOverlaySection}: the {@code underlay},
 * {@code overlayNetworks} and {@code vteps} keys of {@code state.json}. Stateless.
 */
final class OverlaySectionCodec implements SectionCodec<OverlaySection>
{
    @Override
    public Message defaultMessage()
    {
        return PersistedOverlaySection.getDefaultInstance();
    }

    @Override
    public Message write(final OverlaySection section)
    {
        final PersistedOverlaySection.Builder out = PersistedOverlaySection.newBuilder();
        final OverlaySection.Underlay underlay = section.underlay();
        if (underlay != null)
        {
            out.setUnderlay(PersistedUnderlay.newBuilder()
                .setLocal(Ipv4Address.toString(underlay.local()))
                .setPort(underlay.port())
                .setGenevePort(underlay.genevePort())
                .setDevice(underlay.device() == null ? "" : underlay.device()));
        }
        for (final OverlaySection.OverlayNetwork network : section.networks())
        {
            out.addOverlayNetworks(PersistedOverlayNetwork.newBuilder()
                .setNetwork(network.network()).setVni(network.vni()).setEncap(network.encapsulation()).setMtu(network.mtu())
                .setMssClampOff(!network.mssClamp()).setLearningOff(!network.learning())
                .setHostAddress(network.hostAddress() == 0 ? "" : Ipv4Address.toString(network.hostAddress())));
        }
        for (final OverlaySection.VtepEntry vtep : section.vteps())
        {
            out.addVteps(PersistedVtep.newBuilder()
                .setNetwork(vtep.network())
                .setVtep(Ipv4Address.toString(vtep.vtep()))
                .setMac(vtep.mac() == 0 ? "" : MacAddress.toString(vtep.mac()))
                .setIp(vtep.ip() == 0 ? "" : Ipv4Address.toString(vtep.ip())));
        }
        return out.build();
    }

    @Override
    public OverlaySection read(final Message message, final DesiredState earlier, final PersistedValues values) throws StateFileException
    {
        final PersistedOverlaySection persisted = (PersistedOverlaySection)message;
        OverlaySection.Underlay underlay = null;
        if (persisted.hasUnderlay())
        {
            final PersistedUnderlay u = persisted.getUnderlay();
            underlay = new OverlaySection.Underlay(values.ip(u.getLocal(), "underlay"), u.getPort(), u.getGenevePort(),
                u.getDevice().isEmpty() ? null : u.getDevice());
        }
        final List<OverlaySection.OverlayNetwork> networks = new ArrayList<>();
        for (final PersistedOverlayNetwork n : persisted.getOverlayNetworksList())
        {
            networks.add(new OverlaySection.OverlayNetwork(n.getNetwork(), n.getVni(), n.getEncap(), n.getMtu(), !n.getMssClampOff(),
                !n.getLearningOff(), n.getHostAddress().isEmpty() ? 0 :
                values.ip(n.getHostAddress(), "host address of overlay network \"" + n.getNetwork() + "\"")));
        }
        final List<OverlaySection.VtepEntry> vteps = new ArrayList<>();
        for (final PersistedVtep v : persisted.getVtepsList())
        {
            final String where = "VTEP \"" + v.getVtep() + "\" of overlay network \"" + v.getNetwork() + "\"";
            vteps.add(new OverlaySection.VtepEntry(v.getNetwork(), values.ip(v.getVtep(), where),
                v.getMac().isEmpty() ? 0 : values.mac(v.getMac(), where), v.getIp().isEmpty() ? 0 : values.ip(v.getIp(), where)));
        }
        return new OverlaySection(underlay, networks, vteps);
    }
}
