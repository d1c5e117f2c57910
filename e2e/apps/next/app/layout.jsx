// app/layout.jsx: the root layout
import { Stint } from './stint';

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <Stint />
        {children}
      </body>
    </html>
  );
}
