package dev.graft.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's Markdown documentation as the tests read it: README.md, docs/*.md and every module's and
 * example's README.md, and their fenced code blocks.
 */
final class Docs {

    /** The repository root: docs-check's parent folder (Maven runs the tests in the module's folder). */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /**
     * A comment on the line before a fence that says the block is not compiled or bound, and why:
     * {@code <!-- docs-check: not compiled, the shape of a record without its body -->}. Invisible when rendered.
     */
    private static final Pattern SKIP = Pattern.compile("<!--\\s*docs-check:\\s*(not \\w+[^>]*?)\\s*-->");

    private Docs() {
    }

    /**
     * One fenced block.
     *
     * @param file the Markdown file, relative to the root
     * @param line the 1-based line of the block's first content line
     * @param language the fence's info string up to the first space ({@code java}, {@code yaml}, {@code bash}, ...)
     * @param text the content, with the fence's indentation removed
     * @param skip the reason of a {@code docs-check: not ...} comment right before the fence, or null
     */
    record Block(Path file, int line, String language, String text, String skip) {
        String where() {
            return file + ":" + line;
        }
    }

    /** README.md, docs/*.md, then the README.md of each folder below the root (not in target or node_modules). */
    static List<Path> markdownFiles() {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"));
                Stream<Path> readmes = Files.walk(ROOT, 4)) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().map(ROOT::relativize).forEach(files::add);
            readmes.filter(p -> p.getFileName().toString().equals("README.md"))
                    .map(ROOT::relativize)
                    .filter(p -> p.getNameCount() > 1)
                    .filter(p -> Stream.of(p.toString().split("/"))
                            .noneMatch(part -> part.equals("target") || part.equals("node_modules") || part.startsWith(".")))
                    .sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    static String read(Path relative) {
        try {
            return Files.readString(ROOT.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every fenced block of every Markdown file. */
    static List<Block> blocks() {
        List<Block> all = new ArrayList<>();
        for (Path file : markdownFiles()) {
            all.addAll(blocks(file));
        }
        return all;
    }

    private static final Pattern FENCE = Pattern.compile("^(\\s*)```\\s*([\\w+-]*)(.*)$");

    static List<Block> blocks(Path file) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = read(file).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher open = FENCE.matcher(lines[i]);
            if (!open.matches()) {
                continue;
            }
            String indent = open.group(1);
            String language = open.group(2).toLowerCase();
            String skip = null;
            if (i > 0) {
                Matcher marker = SKIP.matcher(lines[i - 1]);
                if (marker.find()) {
                    skip = marker.group(1);
                }
            }
            StringBuilder text = new StringBuilder();
            int start = i + 1;
            int j = start;
            while (j < lines.length && !lines[j].trim().equals("```")) {
                String l = lines[j];
                text.append(l.startsWith(indent) ? l.substring(indent.length()) : l.stripLeading()).append('\n');
                j++;
            }
            blocks.add(new Block(file, start + 1, language, text.toString(), skip));
            i = j;
        }
        return blocks;
    }
}
