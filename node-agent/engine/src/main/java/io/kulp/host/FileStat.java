package io.kulp.host;

/**
 * What {@code statx} says of one open file ({@link FileSyscalls#stat(int)}): which file it is, what
 * kind, and who may change it. The engine checks files it reads by it, the agent directories and
 * files it stages in.
 *
 * @param devMajor major number of the device holding the file ({@code /proc/PID/maps} shows it in hex)
 * @param devMinor minor number of that device
 * @param inode the inode number
 * @param mode type and permission bits ({@code S_IFMT} and the rest)
 * @param uid the owner, as the caller's user namespace (the host's) sees it
 * @param links hard links
 * @param size bytes
 * @param mtimeNanos modification time, nanoseconds since the epoch
 * @param overlay whether the file is on overlayfs (container images are)
 */
public record FileStat(int devMajor, int devMinor, long inode, int mode, int uid, long links, long size,
    long mtimeNanos, boolean overlay) {
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;
  private static final int S_ISVTX = 01000;

  public boolean isRegularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  public boolean isDirectory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  public boolean isLink() {
    return (mode & S_IFMT) == S_IFLNK;
  }

  /** The sticky bit: in a shared directory, only an entry's owner may rename or remove it. */
  public boolean isSticky() {
    return (mode & S_ISVTX) != 0;
  }

  /** Whether users other than the owner may write (group or other write bit; with ACLs, the mask). */
  public boolean writableByOthers() {
    return (mode & 022) != 0;
  }

  /** The permission bits in octal, as ls and chmod write them: {@code 0755}, {@code 1777}. */
  public String permissions() {
    return String.format("%04o", mode & 07777);
  }

  /** The kind of file in words, for messages: "a regular file", "a FIFO", "a symbolic link"... */
  public String kind() {
    return switch (mode & S_IFMT) {
      case S_IFREG -> "a regular file";
      case S_IFDIR -> "a directory";
      case S_IFLNK -> "a symbolic link";
      case 0010000 -> "a FIFO";
      case 0140000 -> "a socket";
      case 0020000 -> "a character device";
      case 0060000 -> "a block device";
      default -> "a file of unknown type";
    };
  }

  /** Whether this is the file with the same device and inode as {@code other}: one file, perhaps under two names. */
  public boolean sameFile(FileStat other) {
    return devMajor == other.devMajor && devMinor == other.devMinor && inode == other.inode;
  }

  /**
   * Whether this is the file a {@code /proc/PID/maps} line names by {@code device} ("fd:01", hex
   * major:minor) and {@code mapsInode}. Older kernels show a file under an overlayfs mount (a
   * container's image) by the device of the file system beneath it (newer ones, 6.18 for one, by
   * the overlay's), while {@code statx} through the mount shows the overlay's device with the same
   * inode number (all layers on one file system, the usual overlay2 setup): for a file on overlayfs
   * whose device differs, the inode alone decides.
   */
  public boolean isMapped(String device, long mapsInode) {
    if (mapsInode != inode) {
      return false;
    }
    int colon = device.indexOf(':');
    try {
      if (colon > 0 && Integer.parseInt(device, 0, colon, 16) == devMajor
          && Integer.parseInt(device, colon + 1, device.length(), 16) == devMinor) {
        return true;
      }
    } catch (NumberFormatException e) {
      return false;
    }
    return overlay;
  }

  /** What the engine caches facts of a file by: device, inode, size and modification time. */
  public String identity() {
    return devMajor + ":" + devMinor + ":" + inode + ":" + size + ":" + mtimeNanos;
  }
}
