package dev.wharf.control.docs;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes {@code docs/api.md}, the gRPC API reference, from the descriptor set protoc writes at
 * build time with source info ({@code wharf/v1/api.protoset} on the classpath, see the pom): every
 * file, service, RPC, message, field, enum and value, each with the comment the .proto gives it.
 * The comments are the documentation; this class only lays them out. Run on one thread.
 */
public final class ApiReference
{
    static final String PROTOSET = "/wharf/v1/api.protoset";

    // field numbers of descriptor.proto, the path elements of SourceCodeInfo.Location
    private static final int FILE_MESSAGE = 4;
    private static final int FILE_ENUM = 5;
    private static final int FILE_SERVICE = 6;
    private static final int FILE_SYNTAX = 12;
    private static final int MESSAGE_FIELD = 2;
    private static final int MESSAGE_NESTED = 3;
    private static final int MESSAGE_ENUM = 4;
    private static final int ENUM_VALUE = 2;
    private static final int SERVICE_METHOD = 2;

    private ApiReference()
    {
    }

    /** Writes the reference to the file given (default: docs/api.md under the working directory). */
    public static void main(final String[] args) throws IOException
    {
        final Path file = Path.of(args.length > 0 ? args[0] : "docs/api.md");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, generate(), StandardCharsets.UTF_8);
    }

    /** The API's files as protoc compiled them, with comments; sorted by name. */
    public static List<FileDescriptorProto> files()
    {
        try (InputStream in = ApiReference.class.getResourceAsStream(PROTOSET))
        {
            if (in == null)
            {
                throw new IllegalStateException(PROTOSET + " is not on the classpath: build control-api (protoc writes it)");
            }
            return FileDescriptorSet.parseFrom(in).getFileList().stream()
                .sorted(Comparator.comparing(FileDescriptorProto::getName)).toList();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /** The reference as Markdown. */
    public static String generate()
    {
        final List<FileDescriptorProto> files = files();
        final StringBuilder md = new StringBuilder();
        md.append("# wharf gRPC API reference\n\n");
        md.append(Docs.generatedNotice("control-api/src/main/proto (dev.wharf.control.docs.ApiReference)")).append('\n');
        md.append("The daemon serves these services on its Unix socket (`/run/wharf/wharf.sock`) and, with\n")
            .append("`wharf daemon --listen`, on TCP. Server reflection (`grpc.reflection.v1`) and the standard health\n")
            .append("service (`grpc.health.v1.Health`) are on, so generic tools work, e.g.\n")
            .append("`grpcurl -plaintext -unix /run/wharf/wharf.sock list`.\n\n");
        md.append("## Services\n\n");
        for (final FileDescriptorProto file : files)
        {
            for (final ServiceDescriptorProto service : file.getServiceList())
            {
                final String name = file.getPackage() + "." + service.getName();
                md.append("- [").append(name).append("](#").append(CliReference.anchor("service " + name)).append(")\n");
            }
        }
        for (final FileDescriptorProto file : files)
        {
            file(md, file);
        }
        return md.toString();
    }

    private static void file(final StringBuilder md, final FileDescriptorProto file)
    {
        final Comments comments = new Comments(file.getSourceCodeInfo());
        md.append("\n## ").append(file.getName()).append("\n\n");
        final String header = comments.header();
        if (!header.isEmpty())
        {
            md.append(header).append("\n\n");
        }
        for (int s = 0; s < file.getServiceCount(); s++)
        {
            final ServiceDescriptorProto service = file.getService(s);
            md.append("### service ").append(file.getPackage()).append('.').append(service.getName()).append("\n\n");
            paragraph(md, comments.at(FILE_SERVICE, s));
            md.append("| RPC | request | response | description |\n|---|---|---|---|\n");
            for (int m = 0; m < service.getMethodCount(); m++)
            {
                final MethodDescriptorProto method = service.getMethod(m);
                md.append("| ").append(method.getName())
                    .append(" | ").append(type(file, method.getInputType())).append(method.getClientStreaming() ? " (stream)" : "")
                    .append(" | ").append(type(file, method.getOutputType())).append(method.getServerStreaming() ? " (stream)" : "")
                    .append(" | ").append(cell(comments.at(FILE_SERVICE, s, SERVICE_METHOD, m))).append(" |\n");
            }
            md.append('\n');
        }
        for (int m = 0; m < file.getMessageTypeCount(); m++)
        {
            message(md, file, comments, file.getMessageType(m), "", List.of(FILE_MESSAGE, m));
        }
        for (int e = 0; e < file.getEnumTypeCount(); e++)
        {
            enumeration(md, comments, file.getEnumType(e), "", List.of(FILE_ENUM, e));
        }
    }

    private static void message(
        final StringBuilder md, final FileDescriptorProto file, final Comments comments, final DescriptorProto message,
        final String outer, final List<Integer> path)
    {
        final String name = outer + message.getName();
        md.append("### message ").append(name).append("\n\n");
        paragraph(md, comments.at(path));
        if (message.getFieldCount() == 0)
        {
            md.append("No fields.\n\n");
        }
        else
        {
            md.append("| field | number | type | description |\n|---|---|---|---|\n");
            for (int f = 0; f < message.getFieldCount(); f++)
            {
                final FieldDescriptorProto field = message.getField(f);
                md.append("| `").append(field.getName()).append("` | ").append(field.getNumber()).append(" | ")
                    .append(fieldType(file, field)).append(" | ").append(cell(comments.at(append(path, MESSAGE_FIELD, f)))).append(" |\n");
            }
            md.append('\n');
        }
        for (int n = 0; n < message.getNestedTypeCount(); n++)
        {
            if (!message.getNestedType(n).getOptions().getMapEntry())
            {
                message(md, file, comments, message.getNestedType(n), name + ".", append(path, MESSAGE_NESTED, n));
            }
        }
        for (int e = 0; e < message.getEnumTypeCount(); e++)
        {
            enumeration(md, comments, message.getEnumType(e), name + ".", append(path, MESSAGE_ENUM, e));
        }
    }

    private static void enumeration(
        final StringBuilder md, final Comments comments, final EnumDescriptorProto enumeration, final String outer, final List<Integer> path)
    {
        md.append("### enum ").append(outer).append(enumeration.getName()).append("\n\n");
        paragraph(md, comments.at(path));
        md.append("| value | number | description |\n|---|---|---|\n");
        for (int v = 0; v < enumeration.getValueCount(); v++)
        {
            final EnumValueDescriptorProto value = enumeration.getValue(v);
            md.append("| `").append(value.getName()).append("` | ").append(value.getNumber()).append(" | ")
                .append(cell(comments.at(append(path, ENUM_VALUE, v)))).append(" |\n");
        }
        md.append('\n');
    }

    private static String fieldType(final FileDescriptorProto file, final FieldDescriptorProto field)
    {
        final String type = switch (field.getType())
        {
            case TYPE_MESSAGE, TYPE_ENUM -> type(file, field.getTypeName());
            default -> field.getType().name().substring("TYPE_".length()).toLowerCase(Locale.ROOT);
        };
        return field.getLabel() == FieldDescriptorProto.Label.LABEL_REPEATED ? "repeated " + type : type;
    }

    /** A type of this package as a link to its section; any other by its full name. */
    private static String type(final FileDescriptorProto file, final String fullName)
    {
        final String name = fullName.startsWith(".") ? fullName.substring(1) : fullName;
        final String prefix = file.getPackage() + ".";
        if (!name.startsWith(prefix))
        {
            return "`" + name + "`";
        }
        final String local = name.substring(prefix.length());
        final String kind = isEnum(local) ? "enum " : "message ";
        return "[" + local + "](#" + CliReference.anchor(kind + local) + ")";
    }

    private static boolean isEnum(final String localName)
    {
        for (final FileDescriptorProto file : files())
        {
            for (final EnumDescriptorProto enumeration : file.getEnumTypeList())
            {
                if (enumeration.getName().equals(localName))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static void paragraph(final StringBuilder md, final String comment)
    {
        if (!comment.isEmpty())
        {
            md.append(comment).append("\n\n");
        }
    }

    /** A comment in a table cell: one line, pipes escaped. */
    private static String cell(final String comment)
    {
        return comment.replace("|", "\\|").replaceAll("\\s*\\n\\s*", " ");
    }

    private static List<Integer> append(final List<Integer> path, final int... more)
    {
        final List<Integer> longer = new ArrayList<>(path);
        for (final int element : more)
        {
            longer.add(element);
        }
        return longer;
    }

    /** The comments of one file by the path of the element they belong to. */
    private static final class Comments
    {
        private final Map<List<Integer>, SourceCodeInfo.Location> byPath = new HashMap<>();

        Comments(final SourceCodeInfo info)
        {
            for (final SourceCodeInfo.Location location : info.getLocationList())
            {
                byPath.putIfAbsent(location.getPathList(), location);
            }
        }

        /** The leading comment of an element (else its trailing one), lines trimmed of the one space after //. */
        String at(final Integer... path)
        {
            return at(List.of(path));
        }

        String at(final List<Integer> path)
        {
            final SourceCodeInfo.Location location = byPath.get(path);
            if (location == null)
            {
                return "";
            }
            return clean(location.hasLeadingComments() ? location.getLeadingComments() : location.getTrailingComments());
        }

        /** The comment above {@code syntax}: the file's introduction. */
        String header()
        {
            final SourceCodeInfo.Location location = byPath.get(List.of(FILE_SYNTAX));
            if (location == null)
            {
                return "";
            }
            final List<String> parts = new ArrayList<>(location.getLeadingDetachedCommentsList());
            if (location.hasLeadingComments())
            {
                parts.add(location.getLeadingComments());
            }
            return parts.stream().map(Comments::preformatted).collect(Collectors.joining("\n\n"));
        }

        private static String clean(final String comment)
        {
            return comment.lines().map(line -> line.startsWith(" ") ? line.substring(1) : line)
                .collect(Collectors.joining("\n")).strip();
        }

        /** A file header with lists or aligned columns keeps its layout in a code block; prose stays prose. */
        private static String preformatted(final String comment)
        {
            final String text = clean(comment);
            final boolean laidOut = text.lines().anyMatch(line -> line.startsWith("- ") || line.startsWith("  "));
            return laidOut ? "```\n" + text + "\n```" : text;
        }
    }
}
