. "$common"
install_host_package
run_check
