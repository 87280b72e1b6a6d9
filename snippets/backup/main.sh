case "${1:-run}" in
  run) run ;;
  restore) shift; restore_main "$@" ;;
  list) list ;;
  prune) lock; prune ;;
  promote) promote ;;
  generation) gen_init; read_live; echo "$GEN ${LIVE:-no-marker}" ;;
  prune-select) prune_select ;;
  notify-result) [ "${SERVICE_RESULT:-success}" = success ] || { last_killed; notify /fail; } ;;
  *) die "usage: firstboot-backup [run | restore [--first-boot] [archive|latest] | list | prune | promote | generation | notify-result]" ;;
esac
