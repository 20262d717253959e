package dev.graft.cli.scaffold;

import dev.graft.cli.scaffold.ContractModel.Export;
import dev.graft.cli.scaffold.ContractModel.Kind;
import dev.graft.cli.scaffold.ContractModel.RecordType;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Maven project in {@code test/}: a JUnit 5 test on {@code dev.graft:plugin-test} that loads the built
 * module pinned by the sha256 {@code build.sh} records, and calls every export with its sample input through
 * the typed extension, so the output is decoded exactly as the host decodes it.
 */
final class JavaTestScaffold {

    private final Scaffold.Inputs in;
    private final Scaffold scaffold;

    JavaTestScaffold(Scaffold.Inputs in, Scaffold scaffold) {
        this.in = in;
        this.scaffold = scaffold;
    }

    void write() {
        String className = className(in.name()) + "Test";
        scaffold.file("test/pom.xml", pom());
        scaffold.file("test/src/test/java/plugin/" + className + ".java", test(className));
    }

    private String pom() {
        Map<String, String> v = in.versions();
        Scaffold.Coordinates c = in.contractArtifact();
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- Tests of %1$s.wasm with dev.graft:plugin-test (run ../build.sh first): mvn -q test -->
                <project xmlns="http://maven.apache.org/POM/4.0.0"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>plugin</groupId>
                  <artifactId>%1$s-test</artifactId>
                  <version>1.0.0</version>
                  <name>%1$s tests</name>

                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>

                  <dependencies>
                    <dependency>
                      <groupId>dev.graft</groupId>
                      <artifactId>plugin-test</artifactId>
                      <version>%2$s</version>
                      <scope>test</scope>
                    </dependency>
                    <!-- The contract: %3$s -->
                    <dependency>
                      <groupId>%4$s</groupId>
                      <artifactId>%5$s</artifactId>
                      <version>%6$s</version>
                      <scope>test</scope>
                    </dependency>
                    <dependency>
                      <groupId>org.junit.jupiter</groupId>
                      <artifactId>junit-jupiter</artifactId>
                      <version>%7$s</version>
                      <scope>test</scope>
                    </dependency>
                    <dependency>
                      <groupId>org.slf4j</groupId>
                      <artifactId>slf4j-simple</artifactId>
                      <version>%8$s</version>
                      <scope>test</scope>
                    </dependency>
                  </dependencies>

                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>%9$s</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>%10$s</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-surefire-plugin</artifactId>
                        <version>%11$s</version>
                        <configuration>
                          <!-- let the JIT compile plugin functions over 8,000 bytes of bytecode, as ./graft does -->
                          <argLine>-XX:-DontCompileHugeMethods</argLine>
                        </configuration>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(in.name(), in.graftVersion(), in.model().contract().type().getName(), c.groupId(),
                c.artifactId(), c.version(), v.get("junit"), v.get("slf4j"), v.get("resources"), v.get("compiler"),
                v.get("surefire"));
    }

    private String test(String className) {
        Class<?> contract = in.model().contract().type();
        TreeSet<String> imports = new TreeSet<>();
        imports.add("dev.graft.test.GraftPluginTest");
        imports.add("dev.graft.test.WasmPlugin");
        imports.add("org.junit.jupiter.api.Test");
        imports.add(contract.getName());
        for (RecordType r : in.model().records()) {
            imports.add(r.type().getName().replace('$', '.'));
        }
        StringBuilder methods = new StringBuilder();
        boolean readsInput = false;
        for (Export e : in.model().exports()) {
            String method = e.method().getName();
            String argument = "";
            StringBuilder body = new StringBuilder();
            String input = scaffold.sampleInputFile(e);
            if (e.argument() != null) {
                Type t = e.method().getGenericParameterTypes()[0];
                String typeName = simple(t.getTypeName());
                if (e.argument().kind() == Kind.BYTES) {
                    body.append("        byte[] input = Files.readAllBytes(Path.of(\"../").append(input).append("\"));\n");
                } else {
                    readsInput = true;
                    body.append("        ").append(typeName).append(" input = read(\"../").append(input)
                            .append("\", new TypeReference<").append(boxed(typeName)).append(">() {});\n");
                }
                argument = "input";
            }
            if (e.result() == null) {
                body.append("        assertFuelAtMost(FUEL, () -> {\n            plugin.").append(method).append("(").append(argument)
                        .append(");\n            return null;\n        });\n        // TODO: assert what your rule did.\n");
            } else {
                String resultType = simple(e.method().getGenericReturnType().getTypeName());
                body.append("        ").append(resultType).append(" result = assertFuelAtMost(FUEL, () -> plugin.").append(method)
                        .append("(").append(argument).append("));\n");
                if (!e.method().getReturnType().isPrimitive()) {
                    body.append("        assertNotNull(result);\n");
                    imports.add("static org.junit.jupiter.api.Assertions.assertNotNull");
                }
                imports.add("static org.junit.jupiter.api.Assertions.assertEquals");
                body.append("        // TODO: assert what your rule answers")
                        .append(input == null ? "" : " for " + input).append(", e.g. assertEquals(expected, result).\n");
            }
            methods.append("\n    /** The export '").append(e.name()).append("'")
                    .append(input == null ? "" : " with ../" + input)
                    .append(": its output decodes as the host decodes it, within the fuel budget. */\n")
                    .append("    @Test\n    void ").append(method).append("AnswersTheSampleInput() throws Exception {\n")
                    .append(body).append("    }\n");
        }
        imports.add("static dev.graft.test.PluginAssertions.assertFuelAtMost");
        if (readsInput || in.model().exports().stream().anyMatch(e -> e.argument() != null)) {
            imports.add("java.nio.file.Files");
            imports.add("java.nio.file.Path");
        }
        if (readsInput) {
            imports.add("com.fasterxml.jackson.core.type.TypeReference");
            imports.add("dev.graft.host.binding.JacksonPayloadCodec");
            imports.add("java.io.IOException");
        }
        if (in.model().exports().stream().anyMatch(e -> e.method().getGenericReturnType().getTypeName().contains("java.util.List")
                || e.method().getGenericParameterTypes().length == 1 && e.method().getGenericParameterTypes()[0].getTypeName().contains("java.util.List"))) {
            imports.add("java.util.List");
        }
        StringBuilder s = new StringBuilder("package plugin;\n\n");
        imports.stream().filter(i -> i.startsWith("static ")).forEach(i -> s.append("import ").append(i).append(";\n"));
        s.append('\n');
        imports.stream().filter(i -> !i.startsWith("static ")).forEach(i -> s.append("import ").append(i).append(";\n"));
        s.append("\n/** Tests of ").append(in.name()).append(".wasm (build it first with ../build.sh). */\n")
                .append("@GraftPluginTest\nclass ").append(className).append(" {\n\n")
                .append("    /** Fuel per call the tests allow; the engine's default budget is 10,000,000. */\n")
                .append("    static final long FUEL = 5_000_000;\n\n")
                .append("    /** The module build.sh writes, pinned by the sha256 it records beside it. */\n")
                .append("    @WasmPlugin(path = \"../").append(in.name()).append(".wasm\", lockFile = \"../").append(in.name())
                .append(".wasm.sha256\")\n    ").append(contract.getSimpleName()).append(" plugin;\n")
                .append(methods);
        if (readsInput) {
            s.append("\n    /** A sample input, read as the host's codec reads it. */\n")
                    .append("    static <T> T read(String file, TypeReference<T> type) throws IOException {\n")
                    .append("        return new JacksonPayloadCodec().mapper().readValue(Files.readAllBytes(Path.of(file)), type);\n")
                    .append("    }\n");
        }
        return s.append("}\n").toString();
    }

    private static String simple(String typeName) {
        return typeName.replaceAll("\\b[a-z][a-z0-9_]*\\.", "").replace('$', '.');
    }

    private static String boxed(String typeName) {
        return switch (typeName) {
            case "int" -> "Integer";
            case "long" -> "Long";
            case "double" -> "Double";
            case "float" -> "Float";
            case "boolean" -> "Boolean";
            case "short" -> "Short";
            case "byte" -> "Byte";
            case "char" -> "Character";
            default -> typeName;
        };
    }

    /** {@code bulk-surcharge} → {@code BulkSurcharge}. */
    static String className(String name) {
        StringBuilder s = new StringBuilder();
        boolean up = true;
        for (char c : name.toCharArray()) {
            if (!Character.isLetterOrDigit(c)) {
                up = true;
            } else {
                s.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        String id = s.toString();
        return id.isEmpty() || !Character.isJavaIdentifierStart(id.charAt(0)) ? "Plugin" + id : id;
    }
}
