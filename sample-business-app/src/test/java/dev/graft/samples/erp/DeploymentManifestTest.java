package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests in deploy/ against the real app: probe paths answer with the management
 * settings the ConfigMap gives the app, ports match, the pods run the image pom.xml's "image" profile
 * builds as its user, and every plugin pin matches plugins.lock.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("test")
class DeploymentManifestTest {

    static final Path DEPLOY = Path.of("../deploy/k8s");

    @Autowired MockMvc mvc;

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) throws IOException {
        return (Map<String, Object>) new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> k8sProfile() throws IOException {
        Map<String, Object> data = (Map<String, Object>) yaml(DEPLOY.resolve("configmap.yaml")).get("data");
        return (Map<String, Object>) new Yaml().load((String) data.get("application-k8s.yml"));
    }

    @SuppressWarnings("unchecked")
    static void flatten(String prefix, Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, into));
        } else {
            into.put(prefix, String.valueOf(value));
        }
    }

    /** The ConfigMap's management settings, as the pods get them. */
    @DynamicPropertySource
    static void k8sManagement(DynamicPropertyRegistry registry) throws IOException {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("management", k8sProfile().get("management"), flat);
        flat.forEach((k, v) -> registry.add(k, () -> v));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> podSpec() throws IOException {
        Map<String, Object> deployment = yaml(DEPLOY.resolve("deployment.yaml"));
        return (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec"))
                .get("template")).get("spec");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> container() throws IOException {
        return ((List<Map<String, Object>>) podSpec().get("containers")).get(0);
    }

    /** The properties of pom.xml's "image" profile: what Jib builds (ImageIT runs it). */
    static Map<String, String> imageProfile() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        NodeList profiles = pom.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            if (profile.getElementsByTagName("id").item(0).getTextContent().equals("image")) {
                Map<String, String> properties = new LinkedHashMap<>();
                NodeList children = ((Element) profile.getElementsByTagName("properties").item(0)).getChildNodes();
                for (int j = 0; j < children.getLength(); j++) {
                    if (children.item(j) instanceof Element property) {
                        properties.put(property.getTagName(), property.getTextContent().strip());
                    }
                }
                return properties;
            }
        }
        throw new AssertionError("no profile 'image' in pom.xml");
    }

    @Test
    @SuppressWarnings("unchecked")
    void probesPointAtHealthGroupsTheAppServes() throws Exception {
        Map<String, Object> container = container();
        Map<String, Object> port = ((List<Map<String, Object>>) container.get("ports")).get(0);
        assertThat(port.get("name")).isEqualTo("http");
        Map<String, Object> app = yaml(Path.of("src/main/resources/application.yml"));
        assertThat(port.get("containerPort")).isEqualTo(((Map<String, Object>) app.get("server")).get("port"));

        List<String> paths = new ArrayList<>();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Map<String, Object> httpGet = (Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet");
            assertThat(httpGet.get("port")).as(probe).isEqualTo("http");
            paths.add((String) httpGet.get("path"));
        }
        for (String path : paths) {
            mvc.perform(get(path)).andExpect(status().isOk()).andExpect(jsonPath("$.status").value("UP"));
        }
        // Readiness includes the graft indicator, so a pod whose required plugins fail takes no traffic.
        mvc.perform(get("/actuator/health/readiness")).andExpect(jsonPath("$.components.graft").exists());

        Map<String, Object> service = yaml(DEPLOY.resolve("service.yaml"));
        List<Map<String, Object>> servicePorts = (List<Map<String, Object>>) ((Map<String, Object>) service.get("spec")).get("ports");
        assertThat(servicePorts.get(0).get("targetPort")).isEqualTo("http");
        Map<String, Object> limits = (Map<String, Object>) ((Map<String, Object>) container.get("resources")).get("limits");
        assertThat(limits).containsKeys("cpu", "memory");
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePodsRunTheImageTheBuildMakesAsItsUser() throws Exception {
        Map<String, String> image = imageProfile();
        assertThat((String) container().get("image")).as("registry/repository:tag")
                .matches("[^/]+/" + Pattern.quote(image.get("image.repository")) + ":[\\w][\\w.-]*");
        String[] user = image.get("image.user").split(":");
        Map<String, Object> pod = (Map<String, Object>) podSpec().get("securityContext");
        assertThat(pod).containsEntry("runAsNonRoot", true)
                .containsEntry("runAsUser", Integer.parseInt(user[0]))
                .containsEntry("runAsGroup", Integer.parseInt(user[1]))
                .containsEntry("fsGroup", Integer.parseInt(user[1]));
        // A read-only root with volumes over the folders the app writes to (ImageIT runs the image that way).
        assertThat((Map<String, Object>) container().get("securityContext")).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        List<String> mounts = ((List<Map<String, Object>>) container().get("volumeMounts")).stream()
                .map(m -> (String) m.get("mountPath")).toList();
        assertThat(mounts).containsAll(ImageIT.WRITABLE.stream().map(folder -> "/" + folder).toList());
        String cache = (String) ((Map<String, Object>) k8sProfile().get("graft")).get("oci-cache-dir");
        assertThat(cache).startsWith("/var/cache/graft/");
    }

    @Test
    @SuppressWarnings("unchecked")
    void pluginsComeFromOciPinnedToTheLockedDigests() throws Exception {
        Map<String, Object> plugins = (Map<String, Object>) ((Map<String, Object>) k8sProfile().get("graft")).get("plugins");
        Map<String, String> locked = PluginPinsTest.lockedDigests();
        assertThat(plugins).isNotEmpty();
        plugins.forEach((id, settings) -> {
            Map<String, Object> s = (Map<String, Object>) settings;
            assertThat((String) s.get("location")).as(id).startsWith("oci://");
            assertThat(s.get("sha256")).as(id).isEqualTo(locked.get(id));
        });
    }
}
