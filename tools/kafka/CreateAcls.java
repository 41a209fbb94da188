import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.io.FileInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Creates every ACL of acls.conf in one Admin request: kafka.sh runs it with `java CreateAcls.java`
 * (source launch), one JVM instead of one kafka-acls JVM per line, which on a busy 2-CPU machine
 * is the difference between seconds and half a minute. Adding an existing ACL is a no-op.
 *
 *   java -cp <kafka libs>/* CreateAcls.java <bootstrap> <admin.properties> <acls.conf>
 */
public class CreateAcls {
  public static void main(String[] args) throws Exception {
    Properties config = new Properties();
    try (FileInputStream in = new FileInputStream(args[1])) {
      config.load(in);
    }
    config.put("bootstrap.servers", args[0]);
    List<AclBinding> bindings = new ArrayList<>();
    for (String raw : Files.readAllLines(Path.of(args[2]))) {
      String line = raw.replaceAll("#.*", "").trim();
      if (line.isEmpty()) continue;
      String[] fields = line.split("\\s+");
      if (fields.length != 4) throw new IllegalArgumentException("acls.conf: expected 4 fields in: " + raw);
      ResourcePattern pattern = switch (fields[2]) {
        case "topic" -> new ResourcePattern(ResourceType.TOPIC, fields[3], PatternType.LITERAL);
        case "group-prefix" -> new ResourcePattern(ResourceType.GROUP, fields[3], PatternType.PREFIXED);
        default -> throw new IllegalArgumentException("acls.conf: unknown resource kind " + fields[2]);
      };
      for (String principal : fields[0].split(",")) {
        for (String operation : fields[1].split(",")) {
          AclOperation op = AclOperation.fromString(operation.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
          if (op == AclOperation.UNKNOWN) throw new IllegalArgumentException("acls.conf: unknown operation " + operation);
          bindings.add(new AclBinding(pattern, new AccessControlEntry("User:" + principal, "*", op, AclPermissionType.ALLOW)));
        }
      }
    }
    try (Admin admin = Admin.create(config)) {
      admin.createAcls(bindings).all().get();
    }
    System.out.println("created " + bindings.size() + " ACL bindings");
  }
}
