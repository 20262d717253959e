package dev.graft.cli;

import dev.graft.host.trust.PemKeys;
import dev.graft.host.trust.Signer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code graft keygen}: an ECDSA P-256 key pair in PEM, for {@code graft sign} and trust policies. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Writes a new ECDSA P-256 key pair: NAME.key (PKCS#8 PEM, private, mode 600) and NAME.pub "
                + "(PEM public key, as cosign.pub). Never overwrites.")
final class KeygenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The folder to write the keys into (created when needed).")
    Path dir;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "graft", description = "File name stem (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Path privateFile = dir.resolve(name + ".key");
        Path publicFile = dir.resolve(name + ".pub");
        for (Path existing : new Path[] {privateFile, publicFile}) {
            if (Files.exists(existing)) {
                err.println("graft: " + existing + " already exists; keygen never overwrites a key");
                return ExitCodes.ERROR;
            }
        }
        KeyPair pair = Signer.generateKeyPair();
        try {
            Files.createDirectories(dir);
            writePrivate(privateFile, PemKeys.writePrivateKey(pair.getPrivate()));
            Files.writeString(publicFile, PemKeys.writePublicKey(pair.getPublic()), StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE_NEW);
        } catch (IOException e) {
            err.println("graft: cannot write the key pair into " + dir + ": " + e);
            return ExitCodes.ERROR;
        }
        System.out.println(publicFile);
        err.println("wrote private key " + privateFile + " (keep it secret) and public key " + publicFile);
        return ExitCodes.OK;
    }

    /** Created with mode 600 from the start where POSIX, so the key is never readable by others. */
    private static void writePrivate(Path file, String pem) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
