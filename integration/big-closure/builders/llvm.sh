. "$common"
. "$big"
any() { return 0; }
copy_host_libs 'libLLVM*' any
link_tree "$out/lib $hostlibs/lib $glibc/lib"
