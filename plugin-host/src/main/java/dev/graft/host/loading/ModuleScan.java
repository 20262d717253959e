package dev.graft.host.loading;

/**
 * One linear pass over a module's sections that reads the figures a module declares (counts,
 * lengths, local runs) without building anything: what {@link LoadBudget} compares with the
 * policy before Chicory, which allocates what a section declares before reading it, sees the
 * bytes. It also checks that every declared length and count fits in the bytes that follow (a
 * section, body or data segment claiming more than its file holds is malformed) and notes where
 * the custom sections are, so they can be stripped unparsed.
 *
 * <p>Only the parts that carry a figure are walked entry by entry: imports, tables, elements,
 * types, code bodies' local declarations and data segments. Everything else is checked by count
 * and skipped. Malformed input ends in {@link Malformed}; whatever the scan accepts Chicory still
 * parses and validates in full.
 */
final class ModuleScan {

    /** A module that cannot be what it claims: a length or count past the end of its bytes. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    static final int SECTION_CUSTOM = 0;

    private final byte[] bytes;
    private final int hugeBodyBytes;
    private int pos;
    private int limit;

    // Figures (longs, so that sums of u32s cannot overflow).
    long types;
    long importedFunctions;
    long definedFunctions;
    long codeBodies;
    long imports;
    long exports;
    long globals;
    long tableEntries;
    long elementEntries;
    long customSectionBytes;
    int customSections;
    long localsTotal;
    long maxLocals = -1;
    int maxLocalsFunction = -1;
    long maxLocalsEntries;
    long maxParamsOrResults;
    int maxParamsType = -1;
    int hugeFunctions;
    int largestHugeFunction = -1;
    long largestHugeBody;

    private ModuleScan(byte[] bytes, int hugeBodyBytes) {
        this.bytes = bytes;
        this.hugeBodyBytes = hugeBodyBytes;
        this.limit = bytes.length;
    }

    /**
     * Scans {@code bytes}.
     *
     * @param hugeBodyBytes function bodies of at least this many bytes count as huge
     * @throws Malformed if a declared length or count cannot fit in the bytes that follow it
     */
    static ModuleScan of(byte[] bytes, int hugeBodyBytes) {
        ModuleScan scan = new ModuleScan(bytes, hugeBodyBytes);
        scan.run();
        return scan;
    }

    /** Imported plus defined functions (the larger of the function and code section counts). */
    long functions() {
        return importedFunctions + Math.max(definedFunctions, codeBodies);
    }

    /** The module without its custom sections (the same array when it has none). */
    byte[] withoutCustomSections() {
        if (customSections == 0) {
            return bytes;
        }
        byte[] out = new byte[bytes.length - (int) customSectionBytes];
        System.arraycopy(bytes, 0, out, 0, 8);
        int written = 8;
        pos = 8;
        limit = bytes.length;
        while (pos < limit) {
            int start = pos;
            int id = u8();
            int size = length("section size");
            pos += size;
            if (id != SECTION_CUSTOM) {
                System.arraycopy(bytes, start, out, written, pos - start);
                written += pos - start;
            }
        }
        return out;
    }

    private void run() {
        if (bytes.length < 8 || bytes[0] != 0 || bytes[1] != 'a' || bytes[2] != 's' || bytes[3] != 'm') {
            throw new Malformed("missing the \\0asm magic");
        }
        if (bytes[4] != 1 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
            throw new Malformed("unsupported binary version (only version 1 modules, not components)");
        }
        pos = 8;
        while (pos < bytes.length) {
            int headerStart = pos;
            limit = bytes.length;
            int id = u8();
            int size = length("section " + id);
            int end = pos + size;
            limit = end;
            switch (id) {
                case SECTION_CUSTOM -> {
                    int nameLength = length("custom section name");
                    checkUtf8(pos, nameLength);
                    customSectionBytes += end - headerStart;
                    customSections++;
                }
                case 1 -> typeSection();
                case 2 -> importSection();
                case 3 -> definedFunctions += count("function", 1);
                case 4 -> tableSection();
                case 6 -> globals += count("global", 3);
                case 7 -> exports += count("export", 3);
                case 9 -> elementSection();
                case 10 -> codeSection();
                case 11 -> dataSection();
                default -> {
                    // memory, start, data count, tag and unknown ids: Chicory reads them in full
                }
            }
            pos = end;
        }
    }

    // ---- sections ----------------------------------------------------------------------------

    private void typeSection() {
        long groups = count("type", 1);
        for (long g = 0; g < groups; g++) {
            int form = u8();
            if (form == 0x4E) { // rec group of subtypes
                long subtypes = count("subtype", 1);
                for (long s = 0; s < subtypes; s++) {
                    subType(u8());
                }
            } else {
                subType(form);
            }
        }
    }

    private void subType(int form) {
        types++;
        if (form == 0x50 || form == 0x4F) { // sub / sub final: supertypes, then the composite type
            long supers = count("supertype", 1);
            for (long i = 0; i < supers; i++) {
                u32();
            }
            form = u8();
        }
        switch (form) {
            case 0x60 -> { // func
                long params = count("parameter", 1);
                notePrototype(params);
                for (long i = 0; i < params; i++) {
                    valType();
                }
                long results = count("result", 1);
                notePrototype(results);
                for (long i = 0; i < results; i++) {
                    valType();
                }
            }
            case 0x5F -> { // struct
                long fields = count("struct field", 2);
                for (long i = 0; i < fields; i++) {
                    valType();
                    u8();
                }
            }
            case 0x5E -> { // array
                valType();
                u8();
            }
            default -> throw new Malformed("type " + (types - 1) + " has unknown form 0x" + Integer.toHexString(form));
        }
    }

    private void notePrototype(long count) {
        if (count > maxParamsOrResults) {
            maxParamsOrResults = count;
            maxParamsType = (int) (types - 1);
        }
    }

    private void importSection() {
        long count = count("import", 4);
        imports += count;
        for (long i = 0; i < count; i++) {
            skip(length("import module name"));
            skip(length("import name"));
            int kind = u8();
            switch (kind) {
                case 0 -> {
                    u32();
                    importedFunctions++;
                }
                case 1 -> {
                    valType();
                    tableEntries += limits();
                }
                case 2 -> limits();
                case 3 -> {
                    valType();
                    u8();
                }
                case 4 -> {
                    u8();
                    u32();
                }
                default -> throw new Malformed("import " + i + " has unknown kind " + kind);
            }
        }
    }

    private void tableSection() {
        long count = count("table", 3);
        for (long i = 0; i < count; i++) {
            if (peek() == 0x40) { // table with an initializer expression
                u8();
                u8();
                valType();
                tableEntries += limits();
                constExpr();
            } else {
                valType();
                tableEntries += limits();
            }
        }
    }

    private void elementSection() {
        long count = count("element segment", 2);
        for (long i = 0; i < count; i++) {
            long flags = u32();
            if (flags > 7) {
                throw new Malformed("element segment " + i + " has unknown flags " + flags);
            }
            boolean active = (flags & 1) == 0;
            boolean explicitTable = (flags & 2) != 0;
            boolean expressions = (flags & 4) != 0;
            if (active) {
                if (explicitTable) {
                    u32();
                }
                constExpr();
            }
            if (!active || explicitTable) {
                if (expressions) {
                    valType();
                } else {
                    u8(); // element kind
                }
            }
            long entries = count("element", 1);
            elementEntries += entries;
            for (long e = 0; e < entries; e++) {
                if (expressions) {
                    constExpr();
                } else {
                    u32();
                }
            }
        }
    }

    private void codeSection() {
        long count = count("function body", 3);
        codeBodies += count;
        int sectionEnd = limit;
        for (long f = 0; f < count; f++) {
            int size = length("function body");
            int bodyEnd = pos + size;
            limit = bodyEnd;
            long entries = count("local entry", 2);
            long locals = 0;
            for (long e = 0; e < entries; e++) {
                locals += u32();
                valType();
            }
            localsTotal += locals;
            int function = (int) (importedFunctions + f);
            if (locals > maxLocals) {
                maxLocals = locals;
                maxLocalsFunction = function;
                maxLocalsEntries = entries;
            }
            if (size >= hugeBodyBytes) {
                hugeFunctions++;
                if (size > largestHugeBody) {
                    largestHugeBody = size;
                    largestHugeFunction = function;
                }
            }
            pos = bodyEnd;
            limit = sectionEnd;
        }
    }

    private void dataSection() {
        long count = count("data segment", 2);
        for (long i = 0; i < count; i++) {
            long flags = u32();
            if (flags == 2) {
                u32();
            }
            if (flags == 0 || flags == 2) {
                constExpr();
            } else if (flags != 1) {
                throw new Malformed("data segment " + i + " has unknown flags " + flags);
            }
            long declared = u32();
            if (declared > limit - pos) {
                throw new Malformed("data segment " + i + " declares " + String.format("%,d", declared)
                        + " bytes, but its section holds only " + String.format("%,d", limit - pos) + " more");
            }
            pos += (int) declared;
        }
    }

    // ---- pieces ------------------------------------------------------------------------------

    /** Table or memory limits; returns the minimum. */
    private long limits() {
        int flags = u8();
        if (flags > 7) {
            throw new Malformed("limits flags 0x" + Integer.toHexString(flags));
        }
        boolean wide = (flags & 4) != 0; // 64-bit indices
        long min = wide ? u64() : u32();
        if ((flags & 1) != 0) {
            if (wide) {
                u64();
            } else {
                u32();
            }
        }
        return min;
    }

    private void valType() {
        int b = u8();
        if (b == 0x63 || b == 0x64) { // (ref null? heaptype)
            signed33();
        }
    }

    /**
     * Skips a constant expression up to its {@code end}. Only instructions allowed in constant
     * expressions are known; anything else makes the module invalid, so it is refused here.
     */
    private void constExpr() {
        while (true) {
            int op = u8();
            switch (op) {
                case 0x0B -> {
                    return;
                }
                case 0x41 -> signed33(); // i32.const (5 bytes at most, like s33)
                case 0x42 -> signed64();
                case 0x43 -> skip(4);
                case 0x44 -> skip(8);
                case 0x23, 0xD2 -> u32(); // global.get, ref.func
                case 0xD0 -> signed33(); // ref.null heaptype
                case 0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E -> {
                    // extended constant expressions: add, sub, mul
                }
                case 0xFD -> {
                    long sub = u32();
                    if (sub != 12) {
                        throw new Malformed("instruction 0xFD " + sub + " in a constant expression");
                    }
                    skip(16); // v128.const
                }
                case 0xFB -> gcConstant();
                default -> throw new Malformed("instruction 0x" + Integer.toHexString(op) + " in a constant expression");
            }
        }
    }

    private void gcConstant() {
        long sub = u32();
        switch ((int) sub) {
            case 0, 1, 6, 7 -> u32(); // struct.new, struct.new_default, array.new, array.new_default
            case 8 -> { // array.new_fixed
                u32();
                u32();
            }
            case 0x1A, 0x1B, 0x1C -> {
                // any.convert_extern, extern.convert_any, ref.i31
            }
            default -> throw new Malformed("instruction 0xFB " + sub + " in a constant expression");
        }
    }

    /** Reads a count of entries that each take at least {@code minBytes}; they must fit what is left. */
    private long count(String what, int minBytes) {
        long n = u32();
        long room = (limit - pos) / minBytes;
        if (n > room) {
            throw new Malformed(String.format("declares %,d %s entries, but only %,d bytes follow", n, what, limit - pos));
        }
        return n;
    }

    /** Reads a byte length that must fit in what is left. */
    private int length(String what) {
        long n = u32();
        if (n > limit - pos) {
            throw new Malformed(String.format("%s declares %,d bytes, but only %,d follow at byte %,d", what, n,
                    limit - pos, pos));
        }
        return (int) n;
    }

    private int peek() {
        if (pos >= limit) {
            throw new Malformed("unexpected end at byte " + pos);
        }
        return bytes[pos] & 0xFF;
    }

    private int u8() {
        int b = peek();
        pos++;
        return b;
    }

    private void skip(int n) {
        if (n > limit - pos) {
            throw new Malformed("unexpected end at byte " + pos);
        }
        pos += n;
    }

    private long u32() {
        long result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (result > 0xFFFF_FFFFL) {
                    throw new Malformed("integer too large at byte " + (pos - 1));
                }
                return result;
            }
        }
        throw new Malformed("integer representation too long at byte " + pos);
    }

    private long u64() {
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new Malformed("integer representation too long at byte " + pos);
    }

    private void signed33() {
        skipLeb(5);
    }

    private void signed64() {
        skipLeb(10);
    }

    private void skipLeb(int maxBytes) {
        for (int i = 0; i < maxBytes; i++) {
            if ((u8() & 0x80) == 0) {
                return;
            }
        }
        throw new Malformed("integer representation too long at byte " + pos);
    }

    /** Custom section names must be UTF-8 (the binary format says so); checked without decoding. */
    private void checkUtf8(int start, int length) {
        int i = start;
        int end = start + length;
        while (i < end) {
            int b = bytes[i] & 0xFF;
            int more;
            int min;
            if (b < 0x80) {
                i++;
                continue;
            } else if (b >= 0xC2 && b <= 0xDF) {
                more = 1;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                more = 2;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                more = 3;
                min = 0x10000;
            } else {
                throw new Malformed("custom section name is not UTF-8");
            }
            if (i + more >= end) { // the sequence runs past the name
                throw new Malformed("custom section name is not UTF-8");
            }
            int cp = b & (0x3F >> more);
            for (int k = 1; k <= more; k++) {
                int c = bytes[i + k] & 0xFF;
                if ((c & 0xC0) != 0x80) {
                    throw new Malformed("custom section name is not UTF-8");
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                throw new Malformed("custom section name is not UTF-8");
            }
            i += more + 1;
        }
    }
}
