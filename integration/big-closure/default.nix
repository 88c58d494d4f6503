# A closure of about 790 MB for the wrap job's speed and memory figures (integration/bench-wrap.sh):
# the host's shared libraries and a JDK, copied into store paths and linked to each other by store
# path with patchelf, as integration/test-closure/ does for its small closure. Same rules: plain
# derivations, the host's /bin/sh as builder, sandbox off, no nixpkgs.
let
  system = "x86_64-linux";
  testClosure = import ../test-closure/default.nix;
  # The same glibc store path as the test closure's: the host's loader and libc, unchanged.
  glibc = testClosure.packages.glibc;

  mkPackage = name: builderScript: attrs: derivation ({
    inherit name system glibc;
    builder = "/bin/sh";
    args = [ builderScript ];
    PATH = "/usr/bin:/bin";
    common = ../test-closure/builders/common.sh;
    big = ./builders/big.sh;
  } // attrs);

  # Every top-level shared library of /usr/lib/x86_64-linux-gnu but glibc's own and LLVM (~280 MB).
  hostlibs = mkPackage "hostlibs" ./builders/hostlibs.sh { };
  # libLLVM-14 and -15 (~236 MB), which need libraries of hostlibs.
  llvm = mkPackage "llvm" ./builders/llvm.sh { inherit hostlibs; };
  # /usr/lib/jvm/java-17-openjdk-amd64 (~273 MB: programs, libraries, the 130 MB modules image).
  jdk = mkPackage "openjdk-17" ./builders/jdk.sh { inherit hostlibs; };
in
{
  packages = { inherit glibc hostlibs llvm jdk; };
  roots = [ "jdk" "llvm" "hostlibs" ];
}
