# The closure-wrap test closure: real host programs and libraries (Debian 12, x86_64) copied into
# one store path per package and linked to each other by store path, as nixpkgs links them.
# No nixpkgs: every package is a plain derivation whose builder is the host's /bin/sh running one
# of ./builders with the host's tools on PATH (so builds must run with sandbox = false).
let
  system = "x86_64-linux";

  mkPackage = name: builderScript: attrs: derivation ({
    inherit name system;
    builder = "/bin/sh";
    args = [ builderScript ];
    PATH = "/usr/bin:/bin";
    common = ./builders/common.sh;
    check = "";
  } // attrs);

  # Host libraries (by soname) and programs; deps are the packages whose lib dirs may provide
  # their DT_NEEDED entries, glibc always last.
  hostPackage = name: { libs ? [ ], programs ? [ ], deps ? [ ], searchKind ? "runpath", check ? "" }:
    mkPackage name ./builders/host-package.sh {
      inherit libs programs searchKind check glibc;
      deps = deps ++ [ glibc ];
    };

  glibc = mkPackage "glibc" ./builders/glibc.sh {
    libs = [ "ld-linux-x86-64.so.2" "libc.so.6" "libm.so.6" "libpthread.so.0" "libdl.so.2"
             "librt.so.1" "libresolv.so.2" ];
    check = "$out/lib/ld-linux-x86-64.so.2 --version | head -n 1";
  };

  zlib = hostPackage "zlib" { libs = [ "libz.so.1" ]; };
  zstd = hostPackage "zstd" { libs = [ "libzstd.so.1" ]; };
  bzip2 = hostPackage "bzip2" { libs = [ "libbz2.so.1.0" ]; };
  # DT_RPATH instead of DT_RUNPATH, for the loader's other search rule.
  xz = hostPackage "xz" {
    libs = [ "liblzma.so.5" ];
    programs = [ "/usr/bin/xz" ];
    searchKind = "rpath";
    check = "$out/bin/xz --version";
  };
  brotli = hostPackage "brotli" { libs = [ "libbrotlicommon.so.1" "libbrotlidec.so.1" ]; };
  nghttp2 = hostPackage "nghttp2" { libs = [ "libnghttp2.so.14" ]; };
  libunistring = hostPackage "libunistring" { libs = [ "libunistring.so.2" ]; };
  libidn2 = hostPackage "libidn2" { libs = [ "libidn2.so.0" ]; deps = [ libunistring ]; };
  libpsl = hostPackage "libpsl" { libs = [ "libpsl.so.5" ]; deps = [ libidn2 libunistring ]; };
  gmp = hostPackage "gmp" { libs = [ "libgmp.so.10" ]; };
  nettle = hostPackage "nettle" { libs = [ "libnettle.so.8" "libhogweed.so.6" ]; deps = [ gmp ]; };
  libtasn1 = hostPackage "libtasn1" { libs = [ "libtasn1.so.6" ]; };
  libffi = hostPackage "libffi" { libs = [ "libffi.so.8" ]; };
  p11-kit = hostPackage "p11-kit" { libs = [ "libp11-kit.so.0" ]; deps = [ libffi ]; };
  gnutls = hostPackage "gnutls" {
    libs = [ "libgnutls.so.30" ];
    deps = [ p11-kit libidn2 libunistring libtasn1 nettle gmp ];
  };
  rtmpdump = hostPackage "rtmpdump" { libs = [ "librtmp.so.1" ]; deps = [ gnutls nettle gmp zlib ]; };
  openssl = hostPackage "openssl" { libs = [ "libssl.so.3" "libcrypto.so.3" ]; };
  libssh2 = hostPackage "libssh2" { libs = [ "libssh2.so.1" ]; deps = [ openssl zlib ]; };
  keyutils = hostPackage "keyutils" { libs = [ "libkeyutils.so.1" ]; };
  krb5 = hostPackage "krb5" {
    libs = [ "libgssapi_krb5.so.2" "libkrb5.so.3" "libk5crypto.so.3" "libkrb5support.so.0"
             "libcom_err.so.2" ];
    deps = [ keyutils ];
  };
  cyrus-sasl = hostPackage "cyrus-sasl" { libs = [ "libsasl2.so.2" ]; };
  openldap = hostPackage "openldap" {
    libs = [ "libldap-2.5.so.0" "liblber-2.5.so.0" ];
    deps = [ cyrus-sasl gnutls ];
  };
  libcurl = hostPackage "libcurl" {
    libs = [ "libcurl.so.4" ];
    deps = [ nghttp2 libidn2 rtmpdump libssh2 libpsl openssl krb5 openldap zstd brotli zlib ];
  };
  # curl -> libcurl -> openldap -> gnutls -> p11-kit -> libffi -> glibc: seven store paths deep.
  curl = hostPackage "curl" {
    programs = [ "/usr/bin/curl" ];
    deps = [ libcurl zlib ];
    check = "$out/bin/curl --version";
  };

  ncurses = hostPackage "ncurses" { libs = [ "libtinfo.so.6" ]; };
  bash = hostPackage "bash" {
    programs = [ "/bin/bash" ];
    deps = [ ncurses ];
    check = "$out/bin/bash -c 'echo bash $BASH_VERSION'";
  };
  dash = hostPackage "dash" { programs = [ "/bin/dash" ]; check = "$out/bin/dash -c 'echo dash'"; };
  busybox = mkPackage "busybox" ./builders/busybox.sh { check = "$out/bin/sh -c 'echo busybox'"; };

  libmagic = mkPackage "libmagic" ./builders/libmagic.sh {
    inherit glibc;
    libs = [ "libmagic.so.1" ];
    programs = [ ];
    deps = [ xz bzip2 zlib glibc ];
    searchKind = "runpath";
  };
  file = mkPackage "file" ./builders/file.sh {
    inherit glibc bash libmagic xz;
    libs = [ ];
    programs = [ "/usr/bin/file" ];
    deps = [ libmagic glibc ];
    searchKind = "runpath";
    check = "$out/bin/file --version && $out/bin/file $out/bin/.file-wrapped";
  };

  musl = mkPackage "musl" ./builders/musl.sh { check = "$out/lib/libc.so 2>&1 | head -n 1"; };
  libgreet = mkPackage "libgreet" ./builders/libgreet.sh { inherit musl; src = ./src; };
  hello-musl = mkPackage "hello-musl" ./builders/hello-musl.sh {
    inherit musl libgreet;
    src = ./src;
    check = "$out/bin/hello-musl";
  };
  hello-static = mkPackage "hello-static" ./builders/hello-static.sh {
    src = ./src;
    check = "$out/bin/hello-static && $out/bin/hello-static-pie";
  };

  app = mkPackage "app" ./builders/app.sh {
    inherit curl dash busybox libgreet;
    helloMusl = hello-musl;
    helloStatic = hello-static;
    check = "$out/bin/app-info && $out/bin/app-busybox";
  };
in
{
  packages = {
    inherit glibc zlib zstd bzip2 xz brotli nghttp2 libunistring libidn2 libpsl gmp nettle
      libtasn1 libffi p11-kit gnutls rtmpdump openssl libssh2 keyutils krb5 cyrus-sasl openldap
      libcurl curl ncurses bash dash busybox libmagic file musl libgreet hello-musl
      hello-static app;
  };
  # The top-level packages: together their closure is every package above.
  roots = [ "app" "file" ];
}
