// Messages for states that valid input cannot reach: the config's rules refuse what would lead
// here, so each one is a bug in firstboot, reported with what it was doing.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere).

const bug = (what: string) => `internal error (a bug in firstboot, please report it): ${what}`;

export const internal = {
  notDuration: (text: string) =>
    bug(`not a duration: ${JSON.stringify(text)} (the config schema should have refused it)`),
  unknownImage: (image: string) => bug(`unknown image ${image}`),
  notTemplate: (name: string) => bug(`${name} is a template: use snippet()`),
  noSnippet: (name: string) => bug(`no snippet ${name}`),
  unresolvedSecret: (name: string) => bug(`secret ${name} was not resolved`),
  tarPath: (name: string) => bug(`path too long for tar: ${name}`),
  multiLine: (what: string) => bug(`backup: ${what} must be a single line`),
  badStepName: (name: string) => bug(`bad or duplicate step name ${name}`),
  badWatchedPath: (name: string) => bug(`step ${name}: watched paths must be plain absolute paths`),
  badFloatingIp: (ip: string) => bug(`server.floating_ip.ip: not an IPv4 or IPv6 /64 address: ${ip}`),
  emptyArgv: (where: string) => bug(`${where}: empty argv`),
  userDataTooBig: (bytes: number, limit: number) => `user-data is ${bytes} bytes, over ${limit}`,
};
