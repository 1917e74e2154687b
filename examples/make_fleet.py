# Regenerates examples/fleet: python3 examples/make_fleet.py examples/fleet
import sys, json
import os
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'make_fixtures_lib.py')).read())
# esx01: web01 and its copy web02 share a static MAC on VM Network (blocking); db01-clone copies db01 of esx02 (conflicting)
w('esx01/web01/web01.vmx', vmx('web01', [{'net': 'VM Network', 'type': 'static', 'mac': '00:50:56:10:00:01'}]))
w('esx01/web02/web02.vmx', vmx('web02', [{'net': 'VM Network', 'type': 'static', 'mac': '00:50:56:10:00:01'},
                                         {'net': 'Backup', 'type': 'generated', 'mac': '00:0c:29:4f:2a:10'}]), crlf=True)
w('esx01/db01-clone/db01-clone.vmx', vmx('db01-clone', [{'net': 'VM Network', 'type': 'static', 'mac': '00:50:56:10:00:20'}]))
w('esx02/db01/db01.vmx', vmx('db01', [{'net': 'VM Network', 'type': 'static', 'mac': '00:50:56:10:00:20'},
                                      {'net': 'VM Network', 'type': 'static', 'mac': '00:50:56:10:00:01', 'present': 'FALSE'}]))
# a static MAC VMware will refuse (outside 00:50:56:00-3F) with the check on
w('esx02/legacy/legacy.vmx', vmx('legacy', [{'net': 'VM Network', 'type': 'static', 'mac': '00:0c:29:aa:bb:cc'}]))
w('esx02/exports/appliance.ovf', ovf('monitoring-appliance', [{'net': 'VM Network', 'mac': '00:50:56:10:00:30'}]))
# kvm01: a guest later imported into Proxmox with the same MAC on another bridge (latent)
w('kvm01/etc/libvirt/qemu/mail.xml', libvirt('mail', [{'net': ('bridge', 'br0'), 'mac': '52:54:00:12:34:56', 'type': 'static'},
                                                       {'net': ('network', 'default'), 'mac': '52:54:00:9a:bc:de'}]))
w('kvm02/etc/libvirt/qemu/build.xml', libvirt('build', [{'net': ('network', 'default'), 'mac': '52:54:00:9a:bc:de'}]))
# pve01: a snapshot history repeating the adapters (not counted), and the imported mail VM
w('pve01/qemu-server/100.conf', proxmox('mail-new', 100, [{'net': 'vmbr0', 'mac': '52:54:00:12:34:56'}]))
w('pve01/qemu-server/101.conf', proxmox('gitlab', 101, [{'net': 'vmbr0', 'mac': 'BC:24:11:5E:01:01'}, {'net': 'vmbr0', 'tag': 20, 'mac': 'BC:24:11:5E:01:02'}],
    snapshots=[('pre-upgrade', [{'net': 'vmbr0', 'mac': 'BC:24:11:5E:01:01'}]), ('post-upgrade', [{'net': 'vmbr0', 'mac': 'BC:24:11:5E:01:01'}, {'net': 'vmbr0', 'mac': 'BC:24:11:5E:01:02'}])]))
# Hyper-V: an NLB unicast cluster (VIP 10.0.0.50) across hv01 and hv02, spoofing off on hv02; both hosts'
# dynamic pools are 00-15-5D-0A-05 (IPv4 addresses 10.1.10.5 and 10.2.10.5); a VM using an NLB masked MAC.
hv01 = [hv_obj('HV01', 'nlb-web1', 'Network Adapter', 'External', '02BF0A000032', False, spoof='On'),
        hv_obj('HV01', 'file01', 'Network Adapter', 'External', '00155D0A0501', True),
        hv_obj('HV01', 'print01', 'Network Adapter', 'External', '00155D0A0502', True),
        hv_obj('HV01', 'dev01', 'Network Adapter', 'Default Switch', '00155D0A0503', True)]
hv02 = [hv_obj('HV02', 'nlb-web2', 'Network Adapter', 'External', '02BF0A000032', False, spoof='Off'),
        hv_obj('HV02', 'sql01', 'Network Adapter', 'External', '00155D0A0510', True),
        hv_obj('HV02', 'legacy-app', 'Network Adapter', 'External', '02010A000032', False),
        hv_obj('HV02', 'dev02', 'Network Adapter', 'Default Switch', '00155D0A0503', True)]
w('hv01/network-adapters.json', json.dumps(hv01, indent=4), 'utf-16-le', True)
w('hv02/network-adapters.csv', hv_csv(hv02))
# Virtual Server 2005 R2 hosts whose first NICs both end in 2B-02: the same dynamic MACs
w('vs01/Virtual Machines/EXCH01/EXCH01.vmc', vmc([{'net': 'Broadcom NetXtreme Gigabit Ethernet', 'mac': '0003FF1D2B02'}]), 'utf-16-le', True)
w('vs01/Virtual Machines/DC01/DC01.vmc', vmc([{'net': 'Broadcom NetXtreme Gigabit Ethernet', 'mac': '0003FF1E2B02'}, {'net': 'Internal Network', 'mac': ''}]), 'utf-16-le', True)
w('vs02/Virtual Machines/DC02/DC02.vmc', vmc([{'net': 'Intel PRO/1000 MT Network Connection', 'mac': '0003FF1C2B02'}]), 'utf-16-be', True)
# a workstation with VirtualBox: NAT adapters are private to the host; a disabled copy of web01's MAC never counts
w('ws01/VirtualBox VMs/lab/lab.vbox', vbox('lab', [{'att': 'NAT', 'mac': '080027A1B2C3'}, {'att': 'Bridged', 'net': 'eth0', 'mac': '005056100001', 'enabled': 'false'}]))
w('ws02/VirtualBox VMs/lab/lab.vbox', vbox('lab', [{'att': 'NAT', 'mac': '080027A1B2C3'}]))
# everything else, by hand: the host is in the file
w('inventory/xen-and-physical.csv', """host,vm,adapter,network,mac,mode
xen01,ldap01,eth0,VM Network,00:16:3e:5a:01:01,static
xen01,ldap02,eth0,VM Network,00:16:3e:5a:01:02,static
xen01,appliance-test,eth0,lab,01:00:5e:00:00:fb,static
""")
