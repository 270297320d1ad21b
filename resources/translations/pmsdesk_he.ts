<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="he_IL" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <source>pmsdesk cannot open its database</source>
        <translation>לא ניתן לפתוח את מסד הנתונים של pmsdesk</translation>
    </message>
</context>
<context>
    <name>FirstAdministratorDialog</name>
    <message>
        <source>Welcome to pmsdesk: the first administrator</source>
        <translation>ברוכים הבאים ל-pmsdesk: מנהל המערכת הראשון</translation>
    </message>
    <message>
        <source>This clinic has no user accounts yet. Create the first administrator: they create the accounts of the nurses and neurologists, and manage the clinic&apos;s settings.</source>
        <translation>למרפאה זו אין עדיין חשבונות משתמש. צרו את מנהל המערכת הראשון: הוא ייצור את החשבונות של האחיות והנוירולוגים וינהל את הגדרות המרפאה.</translation>
    </message>
    <message>
        <source>Create the administrator</source>
        <translation>יצירת מנהל המערכת</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>שם משתמש</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>שם מלא</translation>
    </message>
    <message numerus="yes">
        <source>Password (at least %n characters)</source>
        <translation>
            <numerusform>סיסמה (תו אחד לפחות)</numerusform>
            <numerusform>סיסמה (%n תווים לפחות)</numerusform>
        </translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>הסיסמה שוב</translation>
    </message>
    <message>
        <source>The two passwords differ; type the same password twice.</source>
        <translation>שתי הסיסמאות שונות זו מזו; הקלידו את אותה סיסמה פעמיים.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>{name} ({role})</source>
        <translation>{name} ({role})</translation>
    </message>
    <message>
        <source>Database: {location} · {who}</source>
        <translation>מסד נתונים: {location} · {who}</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;קובץ</translation>
    </message>
    <message>
        <source>&amp;New patient…</source>
        <translation>מטופל &amp;חדש…</translation>
    </message>
    <message>
        <source>Load the &amp;demo clinic…</source>
        <translation>טעינת מרפאת ה&amp;הדגמה…</translation>
    </message>
    <message>
        <source>Visit &amp;summaries of a day…</source>
        <translation>&amp;סיכומי הביקורים של יום…</translation>
    </message>
    <message>
        <source>&amp;Import visits or an archive…</source>
        <translation>&amp;ייבוא ביקורים או ארכיון…</translation>
    </message>
    <message>
        <source>Save import &amp;template…</source>
        <translation>שמירת &amp;תבנית ייבוא…</translation>
    </message>
    <message>
        <source>E&amp;xport the clinic…</source>
        <translation>יצוא ה&amp;מרפאה…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>י&amp;ציאה</translation>
    </message>
    <message>
        <source>&amp;Patient</source>
        <translation>&amp;מטופל</translation>
    </message>
    <message>
        <source>New &amp;visit</source>
        <translation>&amp;ביקור חדש</translation>
    </message>
    <message>
        <source>&amp;Edit details…</source>
        <translation>&amp;עריכת פרטים…</translation>
    </message>
    <message>
        <source>New treatment &amp;course…</source>
        <translation>&amp;סדרת טיפולים חדשה…</translation>
    </message>
    <message>
        <source>Add &amp;relapse…</source>
        <translation>הוספת &amp;התקף…</translation>
    </message>
    <message>
        <source>Add &amp;therapy…</source>
        <translation>הוספת &amp;טיפול…</translation>
    </message>
    <message>
        <source>&amp;Archive or restore</source>
        <translation>העברה ל&amp;ארכיון או שחזור</translation>
    </message>
    <message>
        <source>Audit tra&amp;il…</source>
        <translation>&amp;יומן ביקורת…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;תצוגה</translation>
    </message>
    <message>
        <source>&amp;Today</source>
        <translation>&amp;היום</translation>
    </message>
    <message>
        <source>&amp;Find patient</source>
        <translation>&amp;חיפוש מטופל</translation>
    </message>
    <message>
        <source>Visits to &amp;sign</source>
        <translation>&amp;ביקורים לחתימה</translation>
    </message>
    <message>
        <source>Clinic &amp;overview</source>
        <translation>&amp;סקירת המרפאה</translation>
    </message>
    <message>
        <source>Patient t&amp;rajectory</source>
        <translation>&amp;מהלך המחלה של המטופל</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;שפה</translation>
    </message>
    <message>
        <source>&amp;Safety</source>
        <translation>&amp;בטיחות</translation>
    </message>
    <message>
        <source>&amp;Lock screen</source>
        <translation>&amp;נעילת המסך</translation>
    </message>
    <message>
        <source>&amp;Users and settings…</source>
        <translation>&amp;משתמשים והגדרות…</translation>
    </message>
    <message>
        <source>Intrathecal &amp;register…</source>
        <translation>מרשם הטיפולים ה&amp;תוך-שדרתיים…</translation>
    </message>
    <message>
        <source>Safety check &amp;thresholds…</source>
        <translation>&amp;ספי בדיקת הבטיחות…</translation>
    </message>
    <message>
        <source>Clinic &amp;audit trail…</source>
        <translation>יומן ה&amp;ביקורת של המרפאה…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>ע&amp;זרה</translation>
    </message>
    <message>
        <source>&amp;About pmsdesk</source>
        <translation>&amp;אודות pmsdesk</translation>
    </message>
    <message>
        <source>pmsdesk – DEMO CLINIC (fictional patients)</source>
        <translation>pmsdesk – מרפאת הדגמה (מטופלים בדויים)</translation>
    </message>
    <message>
        <source>Open a patient first.</source>
        <translation>פתחו קודם מטופל.</translation>
    </message>
    <message>
        <source>pmsdesk starts in {language} from the next time it opens.</source>
        <translation>מהפעם הבאה pmsdesk ייפתח בשפה: {language}.</translation>
    </message>
    <message>
        <source>← Back to visits to sign</source>
        <translation>→ חזרה לביקורים לחתימה</translation>
    </message>
    <message>
        <source>← Back to patient</source>
        <translation>→ חזרה למטופל</translation>
    </message>
    <message>
        <source>New patient</source>
        <translation>מטופל חדש</translation>
    </message>
    <message>
        <source>Patient details</source>
        <translation>פרטי המטופל</translation>
    </message>
    <message>
        <source>Treatment course</source>
        <translation>סדרת טיפולים</translation>
    </message>
    <message>
        <source>Relapse</source>
        <translation>התקף</translation>
    </message>
    <message>
        <source>Disease-modifying therapy</source>
        <translation>טיפול משנה מהלך מחלה</translation>
    </message>
    <message>
        <source>Restore patient</source>
        <translation>שחזור מטופל</translation>
    </message>
    <message>
        <source>Restore {name}?</source>
        <translation>לשחזר את {name}?</translation>
    </message>
    <message>
        <source>Patient not restored</source>
        <translation>המטופל לא שוחזר</translation>
    </message>
    <message>
        <source>Archive patient</source>
        <translation>העברת מטופל לארכיון</translation>
    </message>
    <message>
        <source>Archive {name}? Archived patients are hidden from the list; nothing is deleted.</source>
        <translation>להעביר את {name} לארכיון? מטופלים בארכיון מוסתרים מהרשימה; דבר אינו נמחק.</translation>
    </message>
    <message>
        <source>Patient not archived</source>
        <translation>המטופל לא הועבר לארכיון</translation>
    </message>
    <message>
        <source>Demo clinic loaded: {patients} fictional patients, {visits} visits.</source>
        <translation>מרפאת ההדגמה נטענה: {patients} מטופלים בדויים, {visits} ביקורים.</translation>
    </message>
    <message>
        <source>Import template saved to {path}</source>
        <translation>תבנית הייבוא נשמרה ב-{path}</translation>
    </message>
    <message>
        <source>Visit summaries saved to {path}</source>
        <translation>סיכומי הביקורים נשמרו ב-{path}</translation>
    </message>
    <message>
        <source>Audit trail of {name}</source>
        <translation>יומן הביקורת של {name}</translation>
    </message>
    <message>
        <source>About pmsdesk</source>
        <translation>אודות pmsdesk</translation>
    </message>
    <message>
        <source>pmsdesk {version}

Records intrathecal treatment visits for progressive MS.
Database: {location}

Computed values (EDSS steps, change flags) are aids to the clinician&apos;s judgement.</source>
        <translation>pmsdesk {version}

תיעוד ביקורי טיפול תוך-שדרתי בטרשת נפוצה מתקדמת.
מסד נתונים: {location}

ערכים מחושבים (דרגות EDSS, סימוני שינוי) הם עזר לשיקול הדעת של הרופא המטפל.</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in to pmsdesk</source>
        <translation>כניסה ל-pmsdesk</translation>
    </message>
    <message>
        <source>Sign in with your own user name and password.</source>
        <translation>היכנסו עם שם המשתמש והסיסמה האישיים שלכם.</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>כניסה</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>שם משתמש</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>סיסמה</translation>
    </message>
</context>
<context>
    <name>TodayList</name>
    <message>
        <source>Patient</source>
        <translation>מטופל</translation>
    </message>
    <message>
        <source>Identifier</source>
        <translation>מזהה</translation>
    </message>
    <message>
        <source>Treatment</source>
        <translation>טיפול</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>חלון זמנים</translation>
    </message>
    <message>
        <source>Last treatment</source>
        <translation>טיפול אחרון</translation>
    </message>
    <message>
        <source>Next #</source>
        <translation>מס&apos; הבא</translation>
    </message>
    <message>
        <source>Labs</source>
        <translation>מעבדה</translation>
    </message>
    <message>
        <source>Arrow to a patient and press Enter (or double-click) to open or start the visit. F2 comes back here from anywhere.</source>
        <translation>עברו בחיצים אל מטופל והקישו Enter (או לחיצה כפולה) כדי לפתוח את הביקור או להתחיל אותו. F2 מחזיר לכאן מכל מקום.</translation>
    </message>
    <message>
        <source>Nobody is due for treatment and no visit is under way today. Find a patient in the list on the left to open their record or start a visit. F2 comes back here from anywhere.</source>
        <translation>היום אין מטופלים שמועד הטיפול שלהם הגיע ואין ביקור בתהליך. חפשו מטופל ברשימה שמימין כדי לפתוח את הרשומה שלו או להתחיל ביקור. F2 מחזיר לכאן מכל מקום.</translation>
    </message>
    <message>
        <source>Patients due today and visits under way</source>
        <translation>מטופלים שמועד הטיפול שלהם הגיע וביקורים בתהליך</translation>
    </message>
    <message>
        <source>Today, {day}: {due}, {started}</source>
        <translation>היום, {day}: {due}, {started}</translation>
    </message>
    <message numerus="yes">
        <source>%n due for treatment</source>
        <translation>
            <numerusform>מטופל אחד ממתין לטיפול</numerusform>
            <numerusform>%n ממתינים לטיפול</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s) under way</source>
        <translation>
            <numerusform>ביקור אחד בתהליך</numerusform>
            <numerusform>%n ביקורים בתהליך</numerusform>
        </translation>
    </message>
    <message>
        <source>Visits under way</source>
        <translation>ביקורים בתהליך</translation>
    </message>
    <message>
        <source>new visit typed {time}, not saved</source>
        <translation>ביקור חדש הוקלד ב-{time}, לא נשמר</translation>
    </message>
    <message>
        <source>{kind}; changes typed {time}</source>
        <translation>{kind}; שינויים הוקלדו ב-{time}</translation>
    </message>
    <message>
        <source>Due for treatment</source>
        <translation>ממתינים לטיפול</translation>
    </message>
    <message>
        <source>none yet (due from the course start)</source>
        <translation>עדיין לא (המועד נספר מתחילת הסדרה)</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>New patient…  (Ctrl+N)</source>
        <translation>מטופל חדש…  (Ctrl+N)</translation>
    </message>
    <message>
        <source>Load the demo clinic (30 fictional patients)</source>
        <translation>טעינת מרפאת ההדגמה (30 מטופלים בדויים)</translation>
    </message>
    <message>
        <source>This database has no patients yet</source>
        <translation>אין עדיין מטופלים במסד נתונים זה</translation>
    </message>
    <message>
        <source>Choose a patient</source>
        <translation>בחרו מטופל</translation>
    </message>
    <message>
        <source>Add your first patient, or load the demo clinic to look around: it fills this database with clearly fictional patients (identifiers {demo}), so use a separate database for real records.</source>
        <translation>הוסיפו את המטופל הראשון, או טענו את מרפאת ההדגמה כדי להתרשם: היא ממלאת את מסד הנתונים הזה במטופלים בדויים בעליל (מזהים {demo}), ולכן לרשומות אמיתיות השתמשו במסד נתונים נפרד.</translation>
    </message>
    <message>
        <source>Search the list on the left by name or identifier (Ctrl+F), arrow down, and press Enter.</source>
        <translation>חפשו ברשימה שמימין לפי שם או מזהה (Ctrl+F), רדו בחץ למטה והקישו Enter.</translation>
    </message>
</context>
<context>
    <name>_AccountDialog</name>
    <message>
        <source>Cancel</source>
        <translation>ביטול</translation>
    </message>
</context>
</TS>
