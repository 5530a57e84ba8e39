package dev.wharf.control.docs;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.wharf.control.api.v1.FdbProto;
import dev.wharf.control.api.v1.NetworkProto;
import dev.wharf.control.api.v1.PortProto;
import dev.wharf.control.api.v1.StatsProto;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed references, docs/cli.md and docs/api.md, against what the generators make of the
 * code now: an undocumented verb, option or RPC, or any other difference, fails with the command
 * that regenerates them. With {@code -Dwharf.docs.update=true} the test writes them instead.
 */
class DocsTest
{
    private static final boolean UPDATE = Boolean.getBoolean("wharf.docs.update");

    /** The repository root: surefire's WHARF_ROOT, else the parent of the module the tests run in. */
    private static Path root()
    {
        final String env = System.getenv("WHARF_ROOT");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("..").toAbsolutePath().normalize();
    }

    private static String check(final String relative, final String generated) throws IOException
    {
        final Path file = root().resolve(relative);
        if (UPDATE)
        {
            Files.createDirectories(file.getParent());
            Files.writeString(file, generated, StandardCharsets.UTF_8);
            return generated;
        }
        if (!Files.exists(file))
        {
            fail(relative + " is missing; generate it with: " + Docs.REGENERATE);
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void cliReferenceDocumentsEveryCommandAsTheCodeHasIt() throws IOException
    {
        final String generated = CliReference.generate();
        final String committed = check("docs/cli.md", generated);
        for (final String command : CliReference.commandNames())
        {
            assertTrue(committed.contains("\n## " + command + "\n"),
                () -> "'" + command + "' is not documented in docs/cli.md; regenerate it with: " + Docs.REGENERATE);
        }
        assertEquals(generated, committed, "docs/cli.md is out of date with the commands; regenerate it with: " + Docs.REGENERATE);
    }

    @Test
    void apiReferenceDocumentsEveryServiceAndRpcAsTheProtosHaveThem() throws IOException
    {
        final String generated = ApiReference.generate();
        final String committed = check("docs/api.md", generated);
        for (final FileDescriptorProto file : ApiReference.files())
        {
            for (final ServiceDescriptorProto service : file.getServiceList())
            {
                final String name = file.getPackage() + "." + service.getName();
                assertTrue(committed.contains("### service " + name + "\n"),
                    () -> "service " + name + " is not documented in docs/api.md; regenerate it with: " + Docs.REGENERATE);
                for (final MethodDescriptorProto method : service.getMethodList())
                {
                    assertTrue(committed.contains("| " + method.getName() + " | "),
                        () -> name + "/" + method.getName() + " is not documented in docs/api.md; regenerate it with: " + Docs.REGENERATE);
                }
            }
        }
        assertEquals(generated, committed, "docs/api.md is out of date with the .proto files; regenerate it with: " + Docs.REGENERATE);
    }

    @Test
    void everyServiceRpcFieldAndEnumValueHasAComment()
    {
        final List<String> undocumented = new ArrayList<>();
        for (final FileDescriptorProto file : ApiReference.files())
        {
            final Set<List<Integer>> commented = new HashSet<>();
            for (final SourceCodeInfo.Location location : file.getSourceCodeInfo().getLocationList())
            {
                if (!location.getLeadingComments().isBlank() || !location.getTrailingComments().isBlank())
                {
                    commented.add(location.getPathList());
                }
            }
            for (int s = 0; s < file.getServiceCount(); s++)
            {
                require(commented, List.of(6, s), file.getName() + ": service " + file.getService(s).getName(), undocumented);
                for (int m = 0; m < file.getService(s).getMethodCount(); m++)
                {
                    require(commented, List.of(6, s, 2, m), file.getName() + ": rpc " + file.getService(s).getMethod(m).getName(), undocumented);
                }
            }
            for (int m = 0; m < file.getMessageTypeCount(); m++)
            {
                for (int f = 0; f < file.getMessageType(m).getFieldCount(); f++)
                {
                    require(commented, List.of(4, m, 2, f),
                        file.getName() + ": field " + file.getMessageType(m).getName() + "." + file.getMessageType(m).getField(f).getName(), undocumented);
                }
            }
            for (int e = 0; e < file.getEnumTypeCount(); e++)
            {
                for (int v = 0; v < file.getEnumType(e).getValueCount(); v++)
                {
                    require(commented, List.of(5, e, 2, v), file.getName() + ": enum value " + file.getEnumType(e).getValue(v).getName(), undocumented);
                }
            }
        }
        assertTrue(undocumented.isEmpty(), () -> "the API is documented field by field; add a comment to: " + undocumented);
    }

    private static void require(final Set<List<Integer>> commented, final List<Integer> path, final String what, final List<String> missing)
    {
        if (!commented.contains(path))
        {
            missing.add(what);
        }
    }

    @Test
    void theDescriptorSetIsTheOneTheServerIsBuiltFrom()
    {
        // the protoset and the generated classes come from the same protoc run; a stale resource would show here
        final List<FileDescriptor> compiled = List.of(FdbProto.getDescriptor(), NetworkProto.getDescriptor(),
            PortProto.getDescriptor(), StatsProto.getDescriptor());
        for (final FileDescriptor file : compiled)
        {
            final FileDescriptorProto documented = ApiReference.files().stream()
                .filter(candidate -> candidate.getName().equals(file.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(file.getName() + " is not in " + ApiReference.PROTOSET));
            assertEquals(shape(file.toProto()), shape(documented), file.getName());
        }
    }

    /** Services, methods, messages and fields by name, number and type: what a stale protoset would get wrong. */
    private static String shape(final FileDescriptorProto file)
    {
        final StringBuilder shape = new StringBuilder();
        file.getServiceList().forEach(service -> service.getMethodList().forEach(method ->
            shape.append(service.getName()).append('/').append(method.getName()).append('(').append(method.getInputType())
                .append(")->").append(method.getOutputType()).append('\n')));
        file.getMessageTypeList().forEach(message -> message.getFieldList().forEach(field ->
            shape.append(message.getName()).append('.').append(field.getName()).append('=').append(field.getNumber())
                .append(' ').append(field.getLabel()).append(' ').append(field.getType()).append(field.getTypeName()).append('\n')));
        file.getEnumTypeList().forEach(enumeration -> enumeration.getValueList().forEach(value ->
            shape.append(enumeration.getName()).append('.').append(value.getName()).append('=').append(value.getNumber()).append('\n')));
        return shape.toString();
    }
}
