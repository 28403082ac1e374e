// HostsCore: the hosts-file model shared by all three programs.
