package dev.graft.host.engine;

import com.dylibso.chicory.compiler.Cache;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Finds compiled Wasm functions that HotSpot will never JIT-compile. With its default
 * {@code -XX:+DontCompileHugeMethods}, HotSpot leaves every method of more than 8,000 bytes of
 * bytecode in its bytecode interpreter for good, and Chicory compiles each Wasm function to one
 * method. Fuel metering makes a function's bytecode about a third larger, so a function just under
 * the limit can cross it when metered; a hot loop in such a function measured 22 times slower.
 *
 * <p>Chicory hands its compiled classes, as a jar, to a {@link Cache}; this one reads the method
 * sizes from them on the way to the real cache (if any). The check only runs when the JVM skips
 * huge methods: with {@code -XX:-DontCompileHugeMethods} there is nothing to find.
 */
final class JitSizeCheck implements Cache {

    /** HotSpot's {@code HugeMethodLimit}, fixed in product builds. */
    static final int HUGE_METHOD_LIMIT = 8000;

    private static final boolean JIT_SKIPS_HUGE_METHODS = jitSkipsHugeMethods();

    /** A compiled function too large for the JIT: its Wasm function index and bytecode size. */
    record Oversized(int function, int bytecodeBytes) {
    }

    private final Cache delegate;
    private List<Oversized> found = List.of();

    private JitSizeCheck(Cache delegate) {
        this.delegate = delegate;
    }

    /** A check in front of {@code delegate} (may be null), or null when this JVM compiles huge methods. */
    static JitSizeCheck ifNeeded(Cache delegate) {
        return JIT_SKIPS_HUGE_METHODS ? new JitSizeCheck(delegate) : null;
    }

    /** A check regardless of the JVM's flags (for tests). */
    static JitSizeCheck always(Cache delegate) {
        return new JitSizeCheck(delegate);
    }

    /** What the last compile (or cache hit) passing through this check contained, largest first. */
    List<Oversized> found() {
        return found;
    }

    @Override
    public byte[] get(String key) throws IOException {
        byte[] jar = delegate == null ? null : delegate.get(key);
        if (jar != null) {
            found = oversized(jar);
        }
        return jar;
    }

    @Override
    public void putIfAbsent(String key, byte[] jar) throws IOException {
        found = oversized(jar);
        if (delegate != null) {
            delegate.putIfAbsent(key, jar);
        }
    }

    /**
     * The methods named {@code func_N} in the jar's classes with more than {@link #HUGE_METHOD_LIMIT}
     * bytes of code. A jar this cannot read gives an empty list: the check only advises, it must
     * never fail a load.
     */
    static List<Oversized> oversized(byte[] jar) {
        List<Oversized> result = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().endsWith(".class")) {
                    scanClass(ByteBuffer.wrap(zip.readAllBytes()), result);
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        result.sort(Comparator.comparingInt(Oversized::bytecodeBytes).reversed());
        return List.copyOf(result);
    }

    /** Reads just enough of a class file (JVMS §4) to see each method's name and code length. */
    private static void scanClass(ByteBuffer in, List<Oversized> result) {
        in.position(8); // magic, minor, major
        int count = in.getShort() & 0xFFFF;
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.get();
            switch (tag) {
                case 1: { // Utf8 (the compiler's names are ASCII, where modified UTF-8 is plain UTF-8)
                    byte[] bytes = new byte[in.getShort() & 0xFFFF];
                    in.get(bytes);
                    utf8[i] = new String(bytes, StandardCharsets.UTF_8);
                    break;
                }
                case 5: // Long
                case 6: // Double: two slots
                    in.position(in.position() + 8);
                    i++;
                    break;
                case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
                    in.position(in.position() + 2);
                    break;
                case 15: // MethodHandle
                    in.position(in.position() + 3);
                    break;
                default: // Integer, Float, refs, NameAndType, Dynamic, InvokeDynamic
                    in.position(in.position() + 4);
            }
        }
        in.position(in.position() + 6); // access flags, this class, super class
        int interfaces = in.getShort() & 0xFFFF;
        in.position(in.position() + 2 * interfaces);
        skipMembers(in); // fields
        int methods = in.getShort() & 0xFFFF;
        for (int m = 0; m < methods; m++) {
            in.position(in.position() + 2);
            String name = utf8[in.getShort() & 0xFFFF];
            in.position(in.position() + 2);
            int attributes = in.getShort() & 0xFFFF;
            for (int a = 0; a < attributes; a++) {
                String attribute = utf8[in.getShort() & 0xFFFF];
                int length = in.getInt();
                int end = in.position() + length;
                if ("Code".equals(attribute) && name != null && name.matches("func_[0-9]{1,9}")) {
                    in.position(in.position() + 4); // max stack, max locals
                    int codeLength = in.getInt();
                    if (codeLength > HUGE_METHOD_LIMIT) {
                        result.add(new Oversized(Integer.parseInt(name.substring(5)), codeLength));
                    }
                }
                in.position(end);
            }
        }
    }

    private static void skipMembers(ByteBuffer in) {
        int members = in.getShort() & 0xFFFF;
        for (int m = 0; m < members; m++) {
            in.position(in.position() + 6);
            int attributes = in.getShort() & 0xFFFF;
            for (int a = 0; a < attributes; a++) {
                in.position(in.position() + 2);
                int length = in.getInt();
                in.position(in.position() + length);
            }
        }
    }

    private static boolean jitSkipsHugeMethods() {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotSpot != null && Boolean.parseBoolean(hotSpot.getVMOption("DontCompileHugeMethods").getValue());
        } catch (RuntimeException | LinkageError e) {
            return false; // not HotSpot: its limits are unknown here
        }
    }
}
