<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nb_NO" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <source>pmsdesk cannot open its database</source>
        <translation>pmsdesk kan ikke åpne databasen sin</translation>
    </message>
</context>
<context>
    <name>FirstAdministratorDialog</name>
    <message>
        <source>Welcome to pmsdesk: the first administrator</source>
        <translation>Velkommen til pmsdesk: den første administratoren</translation>
    </message>
    <message>
        <source>This clinic has no user accounts yet. Create the first administrator: they create the accounts of the nurses and neurologists, and manage the clinic&apos;s settings.</source>
        <translation>Denne klinikken har ingen brukerkontoer ennå. Opprett den første administratoren, som oppretter kontoene til sykepleierne og nevrologene og forvalter klinikkens innstillinger.</translation>
    </message>
    <message>
        <source>Create the administrator</source>
        <translation>Opprett administratoren</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Brukernavn</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Fullt navn</translation>
    </message>
    <message numerus="yes">
        <source>Password (at least %n characters)</source>
        <translation>
            <numerusform>Passord (minst %n tegn)</numerusform>
            <numerusform>Passord (minst %n tegn)</numerusform>
        </translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>Passord igjen</translation>
    </message>
    <message>
        <source>The two passwords differ; type the same password twice.</source>
        <translation>De to passordene er ulike; skriv det samme passordet to ganger.</translation>
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
        <translation>Database: {location} · {who}</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fil</translation>
    </message>
    <message>
        <source>&amp;New patient…</source>
        <translation>&amp;Ny pasient…</translation>
    </message>
    <message>
        <source>Load the &amp;demo clinic…</source>
        <translation>Last inn &amp;demoklinikken…</translation>
    </message>
    <message>
        <source>Visit &amp;summaries of a day…</source>
        <translation>Besøks&amp;sammendrag for en dag…</translation>
    </message>
    <message>
        <source>&amp;Import visits or an archive…</source>
        <translation>&amp;Importer besøk eller et arkiv…</translation>
    </message>
    <message>
        <source>Save import &amp;template…</source>
        <translation>Lagre import&amp;mal…</translation>
    </message>
    <message>
        <source>E&amp;xport the clinic…</source>
        <translation>E&amp;ksporter klinikken…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Avslutt</translation>
    </message>
    <message>
        <source>&amp;Patient</source>
        <translation>&amp;Pasient</translation>
    </message>
    <message>
        <source>New &amp;visit</source>
        <translation>Nytt &amp;besøk</translation>
    </message>
    <message>
        <source>&amp;Edit details…</source>
        <translation>R&amp;ediger opplysninger…</translation>
    </message>
    <message>
        <source>New treatment &amp;course…</source>
        <translation>Nytt behandlings&amp;forløp…</translation>
    </message>
    <message>
        <source>Add &amp;relapse…</source>
        <translation>Legg til &amp;attakk…</translation>
    </message>
    <message>
        <source>Add &amp;therapy…</source>
        <translation>Legg til &amp;terapi…</translation>
    </message>
    <message>
        <source>&amp;Archive or restore</source>
        <translation>A&amp;rkiver eller gjenopprett</translation>
    </message>
    <message>
        <source>Audit tra&amp;il…</source>
        <translation>Revisjons&amp;logg…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Vis</translation>
    </message>
    <message>
        <source>&amp;Today</source>
        <translation>&amp;I dag</translation>
    </message>
    <message>
        <source>&amp;Find patient</source>
        <translation>&amp;Finn pasient</translation>
    </message>
    <message>
        <source>Visits to &amp;sign</source>
        <translation>Besøk til si&amp;gnering</translation>
    </message>
    <message>
        <source>Clinic &amp;overview</source>
        <translation>Klinikk&amp;oversikt</translation>
    </message>
    <message>
        <source>Patient t&amp;rajectory</source>
        <translation>&amp;Pasientens sykdomsforløp</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Språk</translation>
    </message>
    <message>
        <source>&amp;Safety</source>
        <translation>&amp;Sikkerhet</translation>
    </message>
    <message>
        <source>&amp;Lock screen</source>
        <translation>&amp;Lås skjermen</translation>
    </message>
    <message>
        <source>&amp;Users and settings…</source>
        <translation>&amp;Brukere og innstillinger…</translation>
    </message>
    <message>
        <source>Intrathecal &amp;register…</source>
        <translation>Intratekalt &amp;register…</translation>
    </message>
    <message>
        <source>Safety check &amp;thresholds…</source>
        <translation>&amp;Grenseverdier for sikkerhetskontrollen…</translation>
    </message>
    <message>
        <source>Clinic &amp;audit trail…</source>
        <translation>&amp;Klinikkens revisjonslogg…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hjelp</translation>
    </message>
    <message>
        <source>&amp;About pmsdesk</source>
        <translation>&amp;Om pmsdesk</translation>
    </message>
    <message>
        <source>pmsdesk – DEMO CLINIC (fictional patients)</source>
        <translation>pmsdesk – DEMOKLINIKK (fiktive pasienter)</translation>
    </message>
    <message>
        <source>Open a patient first.</source>
        <translation>Åpne en pasient først.</translation>
    </message>
    <message>
        <source>pmsdesk starts in {language} from the next time it opens.</source>
        <translation>pmsdesk starter på {language} fra neste gang det åpnes.</translation>
    </message>
    <message>
        <source>← Back to visits to sign</source>
        <translation>← Tilbake til besøk til signering</translation>
    </message>
    <message>
        <source>← Back to patient</source>
        <translation>← Tilbake til pasienten</translation>
    </message>
    <message>
        <source>New patient</source>
        <translation>Ny pasient</translation>
    </message>
    <message>
        <source>Patient details</source>
        <translation>Pasientopplysninger</translation>
    </message>
    <message>
        <source>Treatment course</source>
        <translation>Behandlingsforløp</translation>
    </message>
    <message>
        <source>Relapse</source>
        <translation>Attakk</translation>
    </message>
    <message>
        <source>Disease-modifying therapy</source>
        <translation>Sykdomsmodifiserende behandling</translation>
    </message>
    <message>
        <source>Restore patient</source>
        <translation>Gjenopprett pasient</translation>
    </message>
    <message>
        <source>Restore {name}?</source>
        <translation>Gjenopprette {name}?</translation>
    </message>
    <message>
        <source>Patient not restored</source>
        <translation>Pasienten ble ikke gjenopprettet</translation>
    </message>
    <message>
        <source>Archive patient</source>
        <translation>Arkiver pasient</translation>
    </message>
    <message>
        <source>Archive {name}? Archived patients are hidden from the list; nothing is deleted.</source>
        <translation>Arkivere {name}? Arkiverte pasienter skjules i listen; ingenting slettes.</translation>
    </message>
    <message>
        <source>Patient not archived</source>
        <translation>Pasienten ble ikke arkivert</translation>
    </message>
    <message>
        <source>Demo clinic loaded: {patients} fictional patients, {visits} visits.</source>
        <translation>Demoklinikken er lastet inn: {patients} fiktive pasienter, {visits} besøk.</translation>
    </message>
    <message>
        <source>Import template saved to {path}</source>
        <translation>Importmalen er lagret i {path}</translation>
    </message>
    <message>
        <source>Visit summaries saved to {path}</source>
        <translation>Besøkssammendragene er lagret i {path}</translation>
    </message>
    <message>
        <source>Audit trail of {name}</source>
        <translation>Revisjonslogg for {name}</translation>
    </message>
    <message>
        <source>About pmsdesk</source>
        <translation>Om pmsdesk</translation>
    </message>
    <message>
        <source>pmsdesk {version}

Records intrathecal treatment visits for progressive MS.
Database: {location}

Computed values (EDSS steps, change flags) are aids to the clinician&apos;s judgement.</source>
        <translation>pmsdesk {version}

Registrerer besøk med intratekal behandling ved progressiv MS.
Database: {location}

Beregnede verdier (EDSS-trinn, endringsmarkeringer) er hjelpemidler for klinikerens vurdering.</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in to pmsdesk</source>
        <translation>Logg på pmsdesk</translation>
    </message>
    <message>
        <source>Sign in with your own user name and password.</source>
        <translation>Logg på med ditt eget brukernavn og passord.</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Logg på</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Brukernavn</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passord</translation>
    </message>
</context>
<context>
    <name>TodayList</name>
    <message>
        <source>Patient</source>
        <translation>Pasient</translation>
    </message>
    <message>
        <source>Identifier</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Treatment</source>
        <translation>Behandling</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Tidsvindu</translation>
    </message>
    <message>
        <source>Last treatment</source>
        <translation>Siste behandling</translation>
    </message>
    <message>
        <source>Next #</source>
        <translation>Neste nr.</translation>
    </message>
    <message>
        <source>Labs</source>
        <translation>Lab</translation>
    </message>
    <message>
        <source>Arrow to a patient and press Enter (or double-click) to open or start the visit. F2 comes back here from anywhere.</source>
        <translation>Gå til en pasient med piltastene og trykk Enter (eller dobbeltklikk) for å åpne eller starte besøket. F2 tar deg tilbake hit fra hvor som helst.</translation>
    </message>
    <message>
        <source>Nobody is due for treatment and no visit is under way today. Find a patient in the list on the left to open their record or start a visit. F2 comes back here from anywhere.</source>
        <translation>Ingen skal ha behandling, og ingen besøk er i gang i dag. Finn en pasient i listen til venstre for å åpne journalen eller starte et besøk. F2 tar deg tilbake hit fra hvor som helst.</translation>
    </message>
    <message>
        <source>Patients due today and visits under way</source>
        <translation>Pasienter som skal ha behandling i dag, og besøk som er i gang</translation>
    </message>
    <message>
        <source>Today, {day}: {due}, {started}</source>
        <translation>I dag, {day}: {due}, {started}</translation>
    </message>
    <message numerus="yes">
        <source>%n due for treatment</source>
        <translation>
            <numerusform>%n skal ha behandling</numerusform>
            <numerusform>%n skal ha behandling</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s) under way</source>
        <translation>
            <numerusform>%n besøk er i gang</numerusform>
            <numerusform>%n besøk er i gang</numerusform>
        </translation>
    </message>
    <message>
        <source>Visits under way</source>
        <translation>Besøk som er i gang</translation>
    </message>
    <message>
        <source>new visit typed {time}, not saved</source>
        <translation>nytt besøk skrevet inn {time}, ikke lagret</translation>
    </message>
    <message>
        <source>{kind}; changes typed {time}</source>
        <translation>{kind}; endringer skrevet inn {time}</translation>
    </message>
    <message>
        <source>Due for treatment</source>
        <translation>Skal ha behandling</translation>
    </message>
    <message>
        <source>none yet (due from the course start)</source>
        <translation>ingen ennå (regnes fra forløpets start)</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>New patient…  (Ctrl+N)</source>
        <translation>Ny pasient…  (Ctrl+N)</translation>
    </message>
    <message>
        <source>Load the demo clinic (30 fictional patients)</source>
        <translation>Last inn demoklinikken (30 fiktive pasienter)</translation>
    </message>
    <message>
        <source>This database has no patients yet</source>
        <translation>Denne databasen har ingen pasienter ennå</translation>
    </message>
    <message>
        <source>Choose a patient</source>
        <translation>Velg en pasient</translation>
    </message>
    <message>
        <source>Add your first patient, or load the demo clinic to look around: it fills this database with clearly fictional patients (identifiers {demo}), so use a separate database for real records.</source>
        <translation>Legg til den første pasienten, eller last inn demoklinikken for å se deg om: den fyller denne databasen med tydelig fiktive pasienter (ID-er {demo}), så bruk en egen database til ekte journaler.</translation>
    </message>
    <message>
        <source>Search the list on the left by name or identifier (Ctrl+F), arrow down, and press Enter.</source>
        <translation>Søk i listen til venstre etter navn eller ID (Ctrl+F), gå ned med piltastene og trykk Enter.</translation>
    </message>
</context>
<context>
    <name>_AccountDialog</name>
    <message>
        <source>Cancel</source>
        <translation>Avbryt</translation>
    </message>
</context>
</TS>
