package io.nexus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU and memory readings from /proc, for the scenarios' disturbance checks and reports. */
final class Cpu {
  /** USER_HZ on Linux: jiffies per second. */
  static final double HZ = 100.0;

  private Cpu() {}

  /** User + system jiffies of every PostgreSQL and Redis server process. */
  static long dependencyJiffies() throws IOException {
    long sum = 0;
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String name = d.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String comm = Files.readString(d.resolve("comm")).trim();
          if (comm.startsWith("redis-server") || comm.startsWith("postgres") || comm.equals("pgbench")) {
            sum += processJiffies(Long.parseLong(name));
          }
        } catch (IOException | RuntimeException e) {
          // the process ended meanwhile
        }
      }
    }
    return sum;
  }

  /** Busy jiffies of one core (everything but idle and iowait), from /proc/stat. */
  static long[] coreJiffies(int core) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/stat"))) {
      if (l.startsWith("cpu" + core + " ")) {
        String[] f = l.trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length; i++) {
          if (i != 4 && i != 5) {
            busy += Long.parseLong(f[i]);
          }
        }
        return new long[] {busy};
      }
    }
    return new long[] {0};
  }

  /** User + system jiffies of a process, from /proc/<pid>/stat. */
  static long processJiffies(long pid) throws IOException {
    String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  static double rssMb(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }


  /** Busy jiffies of every core together. */
  static long totalBusyJiffies() throws IOException {
    String l = Files.readAllLines(Path.of("/proc/stat")).get(0);
    String[] f = l.trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < f.length; i++) {
      if (i != 4 && i != 5) {
        busy += Long.parseLong(f[i]);
      }
    }
    return busy;
  }
}
