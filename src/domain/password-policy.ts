// Password rules: 8–128 characters, not a common password, not the username, not one repeated
// character. The list holds the most common passwords of 8+ characters from public breach
// statistics, plus the obvious ones for this product.
const COMMON = new Set(
  `password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword pa55word 12345678 123456789 1234567890
  0123456789 87654321 987654321 11111111 22222222 00000000 88888888 12341234 11223344 12121212 1q2w3e4r 1q2w3e4r5t 1qaz2wsx
  zaq12wsx qwertyui qwertyuiop qwerty12 qwerty123 qwerty1234 asdfghjk asdfghjkl zxcvbnm1 abcd1234 abc12345 abcdefgh
  iloveyou iloveyou1 sunshine princess football baseball basketball superman starwars computer michelle jennifer whatever
  corvette mercedes changeme welcome1 welcome123 letmein1 letmein123 trustno1 admin123 admin1234 administrator
  monkey123 dragon123 master123 shadow123 charlie1 michael1 jordan23 liverpool chelsea1 arsenal1 maverick 1234qwer
  q1w2e3r4 q1w2e3r4t5 passpass testtest test1234 secret123 default1 letmein! password! qwerty!! nissan123 nismo123 nissangtr
  pitlane1 pitlane123 formulae gtr35nismo`.split(/\s+/),
);

export function passwordProblem(password: string, username?: string): string | undefined {
  if (password.length < 8) return 'must be at least 8 characters';
  if (password.length > 128) return 'must be at most 128 characters';
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is too common: choose a password that is not on lists of common passwords';
  if (username && lower.includes(username.toLowerCase())) return 'must not contain the username';
  if (/^(.)\1+$/.test(password)) return 'must not be one character repeated';
  return undefined;
}
