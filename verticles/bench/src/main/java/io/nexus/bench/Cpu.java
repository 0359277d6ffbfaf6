package io.nexus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU and memory readings from /proc, for the scenarios' disturbance checks and reports. */
final class Cpu {
  /** USER_HZ on Linux: jiffies per second. */
  static final double HZ = 100.0;

  private Cpu() {}

  /** User + system jiffies of every PostgreSQL, Redis and pgbench process (the servers and load a scenario drives). */
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
            sum += withEndedChildren(Long.parseLong(name));
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
    String[] f = stat(pid);
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * As {@link #processJiffies}, plus what its children that ended used (pgbench started by this
   * JVM, PostgreSQL backends whose connection closed): a run that starts and ends processes
   * would otherwise see their work as someone else's.
   */
  static long withEndedChildren(long pid) throws IOException {
    String[] f = stat(pid);
    return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
  }

  private static String[] stat(long pid) throws IOException {
    String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return s.substring(s.lastIndexOf(')') + 2).split(" ");
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
